// Conversions between SpanRecord / Stats and the column values both backends store.
import { emptyStats, mergeHistogram, type Stats } from '../analysis/index.js';
import type { SpanKindName, SpanRecord, SpanStatus } from '../model.js';

export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  service: string;
  name: string;
  kind: string;
  start_ms: number;
  end_ms: number;
  duration_ms: number;
  status: string;
  status_message: string;
  attributes: string;
  resource: string;
  events: string;
  links: string;
}

/** Spans of one resource share its attributes object: serialise it once per batch. */
const resourceJson = new WeakMap<object, string>();
function jsonOfResource(resource: SpanRecord['resource']): string {
  let text = resourceJson.get(resource);
  if (text === undefined) {
    text = JSON.stringify(resource);
    resourceJson.set(resource, text);
  }
  return text;
}

export function spanToRow(s: SpanRecord): SpanRow {
  return {
    trace_id: s.traceId,
    span_id: s.spanId,
    parent_span_id: s.parentSpanId,
    service: s.service,
    name: s.name,
    kind: s.kind,
    start_ms: s.startMs,
    end_ms: s.endMs,
    duration_ms: s.durationMs,
    status: s.status,
    status_message: s.statusMessage,
    attributes: JSON.stringify(s.attributes),
    resource: jsonOfResource(s.resource),
    events: s.events.length ? JSON.stringify(s.events) : '[]',
    links: s.links.length ? JSON.stringify(s.links) : '[]',
  };
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/**
 * Row → SpanRecord. `resources` (optional, per query) shares one parsed object between rows
 * with the same resource text, as decoded spans of one resource share it; empty event and
 * link lists skip JSON.parse. Both matter when a query returns thousands of spans.
 */
export function rowToSpan(r: SpanRow, resources?: Map<string, SpanRecord['resource']>): SpanRecord {
  let resource = resources?.get(r.resource);
  if (resource === undefined) {
    resource = parseJson(r.resource, {});
    resources?.set(r.resource, resource);
  }
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    service: r.service,
    name: r.name,
    kind: r.kind as SpanKindName,
    startMs: Number(r.start_ms),
    endMs: Number(r.end_ms),
    durationMs: Number(r.duration_ms),
    status: r.status as SpanStatus,
    statusMessage: r.status_message,
    attributes: parseJson(r.attributes, {}),
    resource,
    events: r.events === '[]' ? [] : parseJson(r.events, []),
    links: r.links === '[]' ? [] : parseJson(r.links, []),
  };
}

/** The columns of `spans` in table order, as `SELECT *` returns them in raw (array) mode. */
export type SpanRowArray = [string, string, string, string, string, string, number, number, number, string, string, string, string, string, string];

/** rowToSpan for a raw row: skips the per-row object the driver would build, which dominates reading a sample. */
export function rowArrayToSpan(a: SpanRowArray, resources?: Map<string, SpanRecord['resource']>): SpanRecord {
  return rowToSpan(
    {
      trace_id: a[0], span_id: a[1], parent_span_id: a[2], service: a[3], name: a[4], kind: a[5], start_ms: a[6], end_ms: a[7], duration_ms: a[8],
      status: a[9], status_message: a[10], attributes: a[11], resource: a[12], events: a[13], links: a[14],
    },
    resources,
  );
}

export interface StatsColumns {
  requests: number | string;
  errors: number | string;
  retries: number | string;
  timeouts: number | string;
  short_circuits: number | string;
  hist: string | number[];
}

export function statsFromColumns(c: StatsColumns): Stats {
  const stats = emptyStats();
  stats.requests = Number(c.requests);
  stats.errors = Number(c.errors);
  stats.retries = Number(c.retries);
  stats.timeouts = Number(c.timeouts);
  stats.shortCircuits = Number(c.short_circuits);
  const hist = typeof c.hist === 'string' ? parseJson<number[]>(c.hist, []) : c.hist;
  if (Array.isArray(hist)) mergeHistogram(stats.histogram, hist.map(Number));
  return stats;
}

export function statsFromJson(text: string): Stats {
  const raw = parseJson<Partial<Stats>>(text, {});
  const stats = emptyStats();
  stats.requests = Number(raw.requests) || 0;
  stats.errors = Number(raw.errors) || 0;
  stats.retries = Number(raw.retries) || 0;
  stats.timeouts = Number(raw.timeouts) || 0;
  stats.shortCircuits = Number(raw.shortCircuits) || 0;
  if (Array.isArray(raw.histogram)) mergeHistogram(stats.histogram, raw.histogram);
  return stats;
}

/** A stored span's fields that tell deliveries apart (either backend's row). */
export function deliveryOfRow(r: Record<string, unknown>): { traceId: string; spanId: string; parentSpanId: string; service: string; kind: SpanKindName } {
  return { traceId: String(r.trace_id), spanId: String(r.span_id), parentSpanId: String(r.parent_span_id), service: String(r.service), kind: r.kind as SpanKindName };
}
