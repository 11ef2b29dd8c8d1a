// The collector's internal span model, shared by ingest (which produces it),
// store (which persists it) and analysis (which reads it). Pure data: no I/O.

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

/** OTLP span kinds, named. `unspecified` is treated like `internal`. */
export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type SpanStatus = 'ok' | 'error' | 'unset';

export interface SpanEventRecord {
  name: string;
  timeMs: number;
  attributes: Attributes;
}

export interface SpanLinkRecord {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

/** One span as the collector keeps it. Ids are lowercase hex. Times are epoch ms with sub-ms fraction. */
export interface SpanRecord {
  traceId: string; // 32 hex chars
  spanId: string; // 16 hex chars
  parentSpanId: string; // '' for a root span
  service: string; // resource service.name, or 'unknown_service'
  name: string;
  kind: SpanKindName;
  startMs: number;
  endMs: number;
  durationMs: number;
  status: SpanStatus;
  statusMessage: string;
  attributes: Attributes;
  resource: Attributes;
  events: SpanEventRecord[];
  links: SpanLinkRecord[];
}

/** Span event names the Faultline SDK records (see shared CONTRACT.md). */
export const RESILIENCE_EVENTS = {
  retry: 'retry',
  budgetExhausted: 'retry.budget_exhausted',
  timeout: 'timeout',
  breakerState: 'breaker.state',
  breakerRejected: 'breaker.rejected',
  bulkheadRejected: 'bulkhead.rejected',
  fallback: 'fallback',
  idempotencyReplayed: 'idempotency.replayed',
  faultInjected: 'fault.injected',
} as const;
