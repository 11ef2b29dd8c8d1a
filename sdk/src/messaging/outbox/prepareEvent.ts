import { context } from '@opentelemetry/api';
import { getCorrelationId } from '../../context/index.js';
import { createEnvelope, parseEnvelope, type EventEnvelope, type NewEvent } from '../envelope.js';
import { EnvelopeValidationError } from '../errors.js';
import { traceFields } from '../telemetry.js';

/**
 * Envelope for a new outbox row: the current trace context and correlation id
 * are captured now, at the state change, so the relay's later publish and
 * the consumers stay in the request's trace.
 */
export function prepareEvent<P>(source: string, event: NewEvent<P>): EventEnvelope<P> {
  const correlationId = event.correlationId ?? getCorrelationId();
  return createEnvelope(source, correlationId === undefined ? event : { ...event, correlationId }, traceFields(context.active()));
}

export function serialize(envelope: EventEnvelope): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(envelope);
  } catch (e) {
    const problems = [`payload: not JSON-serializable (${e instanceof Error ? e.message : String(e)})`];
    throw new EnvelopeValidationError(`invalid event envelope: ${problems[0]}`, problems);
  }
  if (text === undefined) {
    throw new EnvelopeValidationError('invalid event envelope: payload: not JSON-serializable', ['payload: not JSON-serializable']);
  }
  return text;
}

export function withSequence<P>(envelope: EventEnvelope<P>, sequence: number | undefined): EventEnvelope<P> {
  return sequence === undefined ? envelope : { ...envelope, sequence };
}

/** Parses a stored row; a broken one yields its reason instead of throwing. */
export function readStored(text: string): { envelope: EventEnvelope } | { invalid: string } {
  try {
    return { envelope: parseEnvelope(text) };
  } catch (e) {
    return { invalid: `invalid stored envelope: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Sent rows are marked with this time when quarantined, so they are never published and get pruned. */
export const QUARANTINED_SENT_AT = 0;
