// What one span contributes to the service graph, decided at ingest time from
// the span alone (plus, when the caller has them, its attempt children).
import { RESILIENCE_EVENTS, type SpanRecord } from '../model.js';
import { observe } from './histogram.js';
import { attrString, isCallerKind, isErrorSpan, looksLikeTimeout } from './semconv.js';
import { emptyStats, type Stats } from './stats.js';

/** SERVER or CONSUMER, or a root span of another kind (a service's own entry, e.g. a job or load generator). */
export function isServerSide(span: SpanRecord): boolean {
  return span.kind === 'server' || span.kind === 'consumer' || span.parentSpanId === '';
}

/** CLIENT or PRODUCER: one call from this service to another. */
export function isCallerSide(span: SpanRecord): boolean {
  return isCallerKind(span);
}

/**
 * An attempt child of a logical call: a caller-side span whose parent is the
 * caller-side span of the same logical call (the SDK marks attempts with
 * `faultline.attempt`; other SDKs with `http.request.resend_count`).
 */
export function isAttemptSpan(span: SpanRecord, parent?: SpanRecord): boolean {
  if (!isCallerKind(span)) return false;
  if (parent) return isCallerKind(parent) && parent.service === span.service;
  return span.attributes['faultline.attempt'] !== undefined;
}

export interface NodeContribution {
  service: string;
  /** A root span: the request entered the system at this service. */
  entry: boolean;
  stats: Stats;
}

export function nodeContribution(span: SpanRecord): NodeContribution | null {
  if (!isServerSide(span)) return null;
  const stats = emptyStats();
  stats.requests = 1;
  stats.errors = isErrorSpan(span) ? 1 : 0;
  observe(stats.histogram, span.durationMs);
  return { service: span.service, entry: span.parentSpanId === '', stats };
}

interface EventCounts {
  retries: number;
  timeouts: number;
  shortCircuits: number;
}

function countEvents(span: SpanRecord): EventCounts {
  const counts: EventCounts = { retries: 0, timeouts: 0, shortCircuits: 0 };
  for (const event of span.events) {
    if (event.name === RESILIENCE_EVENTS.retry) counts.retries++;
    else if (event.name === RESILIENCE_EVENTS.timeout) counts.timeouts++;
    else if (event.name === RESILIENCE_EVENTS.breakerRejected || event.name === RESILIENCE_EVENTS.bulkheadRejected) {
      counts.shortCircuits++;
    }
  }
  return counts;
}

/**
 * One caller-side span's outcome as edge stats. Retries, timeouts and
 * short-circuits come from the SDK's span events on the call span and on its
 * attempt children; a span that is itself a resent attempt
 * (`http.request.resend_count` > 0) counts as one retry. Without SDK events a
 * failure that reads as a timeout still counts as one.
 */
export function callStats(span: SpanRecord, attempts: readonly SpanRecord[] = []): Stats {
  const stats = emptyStats();
  stats.requests = 1;
  stats.errors = isErrorSpan(span) ? 1 : 0;
  observe(stats.histogram, span.durationMs);

  const own = countEvents(span);
  let retries = own.retries;
  let timeouts = own.timeouts;
  let shortCircuits = own.shortCircuits;
  for (const attempt of attempts) {
    const c = countEvents(attempt);
    timeouts += c.timeouts;
    shortCircuits += c.shortCircuits;
    retries += c.retries;
  }
  // The SDK records a `retry` event per retry; attempts beyond the first say the same thing, so take the larger.
  retries = Math.max(retries, attempts.length - 1);
  const resend = Number(attrString(span.attributes, 'http.request.resend_count') ?? 0);
  if (retries === 0 && resend > 0) retries = 1;
  if (timeouts === 0 && stats.errors === 1 && looksLikeTimeout(span)) timeouts = 1;

  stats.retries = retries;
  stats.timeouts = timeouts;
  stats.shortCircuits = shortCircuits;
  return stats;
}

function hostOf(raw: string): string | null {
  try {
    const host = new URL(raw).hostname;
    return host || null;
  } catch {
    return null;
  }
}

/** Who a caller-side span called, by name: peer.service (or its successor service.peer.name), else the server address, else the messaging destination. */
export function calleeHint(span: SpanRecord): string | null {
  const a = span.attributes;
  const peer = attrString(a, 'peer.service', 'service.peer.name');
  if (peer !== null) return peer;
  const address = attrString(a, 'server.address', 'net.peer.name');
  if (address !== null) return address;
  const url = attrString(a, 'url.full', 'http.url');
  if (url !== null) {
    const host = hostOf(url);
    if (host !== null) return host;
  }
  return attrString(a, 'messaging.destination.name', 'messaging.destination');
}
