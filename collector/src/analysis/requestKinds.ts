// How a span counts in its service's own figures, decided from the span alone so that any
// OpenTelemetry instrumentation classifies the same way.
import type { SpanRecord } from '../model.js';
import { isBackgroundRoot } from './linkedWork.js';

/** Resource attribute that tells runs of the same services apart. */
export const NAMESPACE_ATTRIBUTE = 'service.namespace';
/** Attribute under which the Faultline SDK records the request's correlation id. */
export const CORRELATION_ATTRIBUTES = ['faultline.correlation_id', 'messaging.message.conversation_id'] as const;
/** Correlation ids longer than this are not indexed (the SDK caps them at 128 characters). */
export const CORRELATION_ID_CHARS_MAX = 128;

/** The run a span belongs to: its resource's `service.namespace`, '' when none. */
export function namespaceOf(span: SpanRecord): string {
  const v = span.resource[NAMESPACE_ATTRIBUTE];
  return typeof v === 'string' ? v.slice(0, 256) : '';
}

export function correlationIdOf(span: SpanRecord): string | null {
  for (const key of CORRELATION_ATTRIBUTES) {
    const v = span.attributes[key];
    if (typeof v === 'string' && v.length > 0 && v.length <= CORRELATION_ID_CHARS_MAX) return v;
  }
  return null;
}

/**
 * A root span of work nobody is waiting for: a poller, relay, saga step or compensation.
 * It has no parent and is not a request's entry (INTERNAL, PRODUCER or CONSUMER kind), or
 * it links to the request that caused it, or the SDK marked it as background. Such spans
 * count as `background`, never as requests, so that a service's request rate is what
 * its callers and users sent.
 */
export function isBackgroundWork(span: SpanRecord): boolean {
  if (span.parentSpanId !== '') return false;
  if (isBackgroundRoot(span) || span.links.length > 0) return true;
  return span.kind === 'internal' || span.kind === 'unspecified' || span.kind === 'producer' || span.kind === 'consumer';
}

/** The fields of a span that tell whether two spans are one delivery. */
export type DeliveryView = Pick<SpanRecord, 'traceId' | 'spanId' | 'parentSpanId' | 'service' | 'kind'>;

/**
 * A SERVER span and a CONSUMER span of the same service that handle one message: an HTTP
 * push receiver's request and the consumer span it starts, either under it or beside it
 * (both continuing the producer's context). One delivery is one request.
 */
export function isSameDelivery(a: DeliveryView, b: DeliveryView): boolean {
  if (a.traceId !== b.traceId || a.service !== b.service || a.spanId === b.spanId) return false;
  const kinds = a.kind === 'server' ? b.kind === 'consumer' : a.kind === 'consumer' && b.kind === 'server';
  if (!kinds) return false;
  return (a.parentSpanId !== '' && a.parentSpanId === b.parentSpanId) || a.spanId === b.parentSpanId || b.spanId === a.parentSpanId;
}
