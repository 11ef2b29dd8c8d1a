import {
  context,
  propagation,
  trace,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { ATTR_BACKGROUND, ATTR_ORIGIN_TRACE_ID } from '../telemetry/detached.js';
import type { EventEnvelope } from './envelope.js';

const TRACER_NAME = '@faultline/sdk';

/** messaging.* semantic-convention attribute names (plus Faultline's own). */
export const MessagingAttributes = {
  SYSTEM: 'messaging.system',
  DESTINATION: 'messaging.destination.name',
  MESSAGE_ID: 'messaging.message.id',
  CONVERSATION_ID: 'messaging.message.conversation_id',
  OPERATION: 'messaging.operation',
  OPERATION_TYPE: 'messaging.operation.type',
  OPERATION_NAME: 'messaging.operation.name',
  CONSUMER_GROUP: 'messaging.consumer.group.name',
  DELIVERY_COUNT: 'messaging.message.delivery_count',
  EVENT_TYPE: 'faultline.event.type',
  CORRELATION_ID: 'faultline.correlation_id',
  OUTCOME: 'faultline.messaging.outcome',
  /** `true` on a root span of detached work (nobody's request is waiting for it). */
  BACKGROUND: ATTR_BACKGROUND,
  /** Trace id of the request that caused the work, on linked root spans. */
  ORIGIN_TRACE_ID: ATTR_ORIGIN_TRACE_ID,
} as const;

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** Trace context as the W3C fields of an envelope, taken from `ctx` via the global propagator. */
export function traceFields(ctx: Context = context.active()): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  const out: { traceparent?: string; tracestate?: string } = {};
  if (carrier.traceparent) out.traceparent = carrier.traceparent;
  if (carrier.tracestate) out.tracestate = carrier.tracestate;
  return out;
}

export function contextOf(envelope: Pick<EventEnvelope, 'traceparent' | 'tracestate'>): Context {
  const carrier: Record<string, string> = {};
  if (envelope.traceparent) carrier.traceparent = envelope.traceparent;
  if (envelope.tracestate) carrier.tracestate = envelope.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

function baseAttributes(envelope: EventEnvelope, system: string, destination: string) {
  const attrs: Record<string, string | number> = {
    [MessagingAttributes.SYSTEM]: system,
    [MessagingAttributes.DESTINATION]: destination,
    [MessagingAttributes.MESSAGE_ID]: envelope.id,
    [MessagingAttributes.EVENT_TYPE]: envelope.type,
  };
  if (envelope.correlationId) {
    attrs[MessagingAttributes.CONVERSATION_ID] = envelope.correlationId;
    attrs[MessagingAttributes.CORRELATION_ID] = envelope.correlationId;
  }
  return attrs;
}

/**
 * PRODUCER span for the real broker send, a child of the context the event
 * was created in (stored in the outbox row), so the whole saga is one trace.
 * An event written outside any trace gets a root span marked as background
 * work: the relay is a poller, not an entry request.
 */
export function startProducerSpan(envelope: EventEnvelope, system: string, destination: string): Span {
  const attributes: Record<string, string | number | boolean> = {
    ...baseAttributes(envelope, system, destination),
    [MessagingAttributes.OPERATION]: 'publish',
    [MessagingAttributes.OPERATION_TYPE]: 'send',
    [MessagingAttributes.OPERATION_NAME]: 'publish',
  };
  const parent = contextOf(envelope);
  if (!trace.getSpanContext(parent)) {
    attributes[MessagingAttributes.BACKGROUND] = true;
    return tracer().startSpan(`publish ${destination}`, { kind: SpanKind.PRODUCER, attributes, root: true });
  }
  return tracer().startSpan(`publish ${destination}`, { kind: SpanKind.PRODUCER, attributes }, parent);
}

export type TraceMode = 'child' | 'link';

/**
 * CONSUMER span. `child` continues the producer's trace; `link` starts a new
 * trace with a span link to the producer (for long-lived or batch consumers),
 * marked as background work with the producer's trace id as its origin.
 * Either way the collector pairs it with the PRODUCER span. Without a
 * producer context (none sent, or a malformed message) it is a background root.
 */
export function startConsumerSpan(
  envelope: EventEnvelope | undefined,
  opts: { system: string; destination: string; consumerName: string; mode: TraceMode; deliveryCount?: number },
): Span {
  const attributes: Record<string, string | number | boolean> = envelope
    ? baseAttributes(envelope, opts.system, opts.destination)
    : { [MessagingAttributes.SYSTEM]: opts.system, [MessagingAttributes.DESTINATION]: opts.destination };
  attributes[MessagingAttributes.OPERATION] = 'process';
  attributes[MessagingAttributes.OPERATION_TYPE] = 'process';
  attributes[MessagingAttributes.OPERATION_NAME] = 'process';
  attributes[MessagingAttributes.CONSUMER_GROUP] = opts.consumerName;
  if (opts.deliveryCount !== undefined) attributes[MessagingAttributes.DELIVERY_COUNT] = opts.deliveryCount;
  const name = `process ${envelope ? envelope.type : opts.destination}`;
  const producerCtx = envelope ? contextOf(envelope) : ROOT_CONTEXT;
  const producerSpan = trace.getSpanContext(producerCtx);
  if (opts.mode === 'link' || !producerSpan) {
    const links: Link[] = producerSpan ? [{ context: producerSpan }] : [];
    attributes[MessagingAttributes.BACKGROUND] = true;
    if (producerSpan) attributes[MessagingAttributes.ORIGIN_TRACE_ID] = producerSpan.traceId;
    return tracer().startSpan(name, { kind: SpanKind.CONSUMER, attributes, links, root: true });
  }
  return tracer().startSpan(name, { kind: SpanKind.CONSUMER, attributes }, producerCtx);
}

export function endSpan(span: Span, outcome: string, error?: unknown): void {
  span.setAttribute(MessagingAttributes.OUTCOME, outcome);
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : new Error(String(error)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}
