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
