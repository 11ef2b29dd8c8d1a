// Groups spans into traces with parent/child links, without touching the spans.
import type { SpanRecord } from '../model.js';

export interface Trace {
  traceId: string;
  byId: Map<string, SpanRecord>;
  children: Map<string, SpanRecord[]>;
  /** Spans whose parent is absent from the trace (the root, or orphans of a partial trace). */
  tops: SpanRecord[];
}

export function indexTraces(spans: readonly SpanRecord[]): Map<string, Trace> {
  const traces = new Map<string, Trace>();
  for (const span of spans) {
    let trace = traces.get(span.traceId);
    if (!trace) {
      trace = { traceId: span.traceId, byId: new Map(), children: new Map(), tops: [] };
      traces.set(span.traceId, trace);
    }
    // A duplicated span (re-sent batch) must not count twice.
    if (!trace.byId.has(span.spanId)) trace.byId.set(span.spanId, span);
  }
  for (const trace of traces.values()) {
    for (const span of trace.byId.values()) {
      const parent = span.parentSpanId;
      if (parent !== '' && parent !== span.spanId && trace.byId.has(parent)) {
        let list = trace.children.get(parent);
        if (!list) trace.children.set(parent, (list = []));
        list.push(span);
      } else {
        trace.tops.push(span);
      }
    }
  }
  return traces;
}

/**
 * Time of the span not covered by any child (children clipped to the span):
 * work done here rather than waiting on others.
 */
export function selfTimeMs(span: SpanRecord, children: readonly SpanRecord[] | undefined): number {
  const duration = Math.max(0, span.durationMs);
  if (!children || children.length === 0) return duration;
  const start = span.startMs;
  const end = span.startMs + duration;
  const intervals: [number, number][] = [];
  for (const c of children) {
    const s = Math.max(start, c.startMs);
    const e = Math.min(end, c.startMs + Math.max(0, c.durationMs));
    if (e > s) intervals.push([s, e]);
  }
  if (intervals.length === 0) return duration;
  intervals.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let [curStart, curEnd] = intervals[0]!;
  for (let i = 1; i < intervals.length; i++) {
    const [s, e] = intervals[i]!;
    if (s > curEnd) {
      covered += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else if (e > curEnd) {
      curEnd = e;
    }
  }
  covered += curEnd - curStart;
  return Math.max(0, duration - covered);
}
