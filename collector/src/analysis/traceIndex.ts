// Groups spans into traces, with parent/child links kept in typed arrays
// indexed by span number: walking a trace then costs no lookups and the
// index creates almost no garbage (20k spans → a handful of allocations).
// Never touches the spans.
import type { SpanRecord } from '../model.js';
import { isCallerKind, isErrorSpan } from './semconv.js';

export interface TraceRange {
  traceId: string;
  /** Spans of this trace are index.spans[first .. first + count - 1]. */
  first: number;
  count: number;
  /** Spans whose parent is absent from the trace (the root, or orphans of a partial trace). */
  tops: number[];
}

export interface TraceIndex {
  /** Unique spans (first copy of a duplicate wins), each trace's spans contiguous. */
  spans: SpanRecord[];
  traces: TraceRange[];
  /** Index of the parent span, -1 for none. */
  parent: Int32Array;
  /** First child, then siblings through nextSibling; -1 ends the list. */
  firstChild: Int32Array;
  nextSibling: Int32Array;
  childCount: Int32Array;
  /** isErrorSpan per span, computed on first use (-1 unknown, 0 no, 1 yes): most spans of a healthy trace are never asked. */
  errorState: Int8Array;
  caller: Uint8Array;
}

export function failed(index: TraceIndex, i: number): boolean {
  let state = index.errorState[i]!;
  if (state === -1) index.errorState[i] = state = isErrorSpan(index.spans[i]!) ? 1 : 0;
  return state === 1;
}

/** Up to this many spans a trace links parents by scanning; larger traces use a map. */
const SCAN_LIMIT = 24;

/**
 * @param maxTraces keep at most this many traces, evenly spread over the input
 * (in order of first appearance): enough for a baseline's medians and p95s.
 */
export function indexTraces(input: readonly SpanRecord[], maxTraces = Infinity): TraceIndex {
  // One map operation per run of same-trace spans: a store that returns spans ordered by trace pays ~1 per trace.
  const groups = new Map<string, number[]>();
  for (let i = 0; i < input.length; ) {
    const traceId = input[i]!.traceId;
    let end = i + 1;
    while (end < input.length && input[end]!.traceId === traceId) end++;
    let group = groups.get(traceId);
    if (!group) groups.set(traceId, (group = []));
    for (; i < end; i++) group.push(i);
  }

  const spans: SpanRecord[] = [];
  const traces: TraceRange[] = [];
  const keepEvery = groups.size > maxTraces ? groups.size / maxTraces : 1;
  let ordinal = 0;
  let nextKept = 0;
  for (const [traceId, members] of groups) {
    if (ordinal++ < nextKept) continue;
    nextKept += keepEvery;
    const first = spans.length;
    if (members.length <= SCAN_LIMIT) {
      for (const m of members) {
        const span = input[m]!;
        let duplicate = false;
        for (let j = first; j < spans.length; j++) {
          if (spans[j]!.spanId === span.spanId) {
            duplicate = true;
            break;
          }
        }
        if (duplicate) continue;
        spans.push(span);
      }
    } else {
      const seen = new Set<string>();
      for (const m of members) {
        const span = input[m]!;
        if (seen.has(span.spanId)) continue;
        seen.add(span.spanId);
        spans.push(span);
      }
    }
    traces.push({ traceId, first, count: spans.length - first, tops: [] });
  }

  const n = spans.length;
  const index: TraceIndex = {
    spans,
    traces,
    parent: new Int32Array(n).fill(-1),
    firstChild: new Int32Array(n).fill(-1),
    nextSibling: new Int32Array(n).fill(-1),
    childCount: new Int32Array(n),
    errorState: new Int8Array(n).fill(-1),
    caller: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) index.caller[i] = isCallerKind(spans[i]!) ? 1 : 0;
  for (const trace of traces) {
    const end = trace.first + trace.count;
    let byId: Map<string, number> | null = null;
    if (trace.count > SCAN_LIMIT) {
      byId = new Map();
      for (let i = trace.first; i < end; i++) byId.set(spans[i]!.spanId, i);
    }
    for (let i = trace.first; i < end; i++) {
      const span = spans[i]!;
      const parentId = span.parentSpanId;
      let p = -1;
      if (parentId !== '' && parentId !== span.spanId) {
        if (byId) p = byId.get(parentId) ?? -1;
        else {
          for (let j = trace.first; j < end; j++) {
            if (spans[j]!.spanId === parentId) {
              p = j;
              break;
            }
          }
        }
      }
      if (p === -1) {
        trace.tops.push(i);
        continue;
      }
      index.parent[i] = p;
      index.nextSibling[i] = index.firstChild[p]!;
      index.firstChild[p] = i;
      index.childCount[p]!++;
    }
  }
  return index;
}

const endOf = (s: SpanRecord) => s.startMs + Math.max(0, s.durationMs);

/**
 * Time of span `i` not covered by any child (children clipped to the span):
 * work done here rather than waiting on others.
 */
export function selfTimeMs(index: TraceIndex, i: number): number {
  const span = index.spans[i]!;
  const duration = Number.isFinite(span.durationMs) ? Math.max(0, span.durationMs) : 0;
  const count = index.childCount[i]!;
  if (count === 0) return duration;
  const start = span.startMs;
  const end = start + duration;
  if (count === 1) {
    const c = index.spans[index.firstChild[i]!]!;
    const covered = Math.min(end, endOf(c)) - Math.max(start, c.startMs);
    return covered > 0 ? Math.max(0, duration - covered) : duration;
  }
  const intervals: [number, number][] = [];
  for (let c = index.firstChild[i]!; c !== -1; c = index.nextSibling[c]!) {
    const child = index.spans[c]!;
    const s = Math.max(start, child.startMs);
    const e = Math.min(end, endOf(child));
    if (e > s) intervals.push([s, e]);
  }
  if (intervals.length === 0) return duration;
  intervals.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let [curStart, curEnd] = intervals[0]!;
  for (let k = 1; k < intervals.length; k++) {
    const [s, e] = intervals[k]!;
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

/** Children of span `i` as an array (for the rare places that need to sort or filter them). */
export function childrenOf(index: TraceIndex, i: number): number[] {
  const out: number[] = [];
  for (let c = index.firstChild[i]!; c !== -1; c = index.nextSibling[c]!) out.push(c);
  return out;
}
