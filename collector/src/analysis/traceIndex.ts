// Groups spans into traces of linked nodes (parent and children by pointer),
// so that walking a trace costs no lookups. Never touches the spans.
import type { SpanRecord } from '../model.js';
import { isCallerKind, isErrorSpan } from './semconv.js';

export interface SpanNode {
  span: SpanRecord;
  parent: SpanNode | null;
  children: SpanNode[];
  error: boolean;
  caller: boolean;
  /** Caches of the analysis that reads this index (the index is private to one call). */
  selfMs?: number;
  blameKey?: string;
}

export interface Trace {
  traceId: string;
  nodes: SpanNode[];
  /** Nodes whose parent is absent from the trace (the root, or orphans of a partial trace). */
  tops: SpanNode[];
}

/** Shared by every childless node until its first child arrives: most spans are leaves. */
const NO_CHILDREN: SpanNode[] = [];

export function indexTraces(spans: readonly SpanRecord[]): Trace[] {
  const byTrace = new Map<string, SpanNode[]>();
  for (const span of spans) {
    const node: SpanNode = { span, parent: null, children: NO_CHILDREN, error: isErrorSpan(span), caller: isCallerKind(span) };
    const nodes = byTrace.get(span.traceId);
    if (nodes) nodes.push(node);
    else byTrace.set(span.traceId, [node]);
  }
  const traces: Trace[] = [];
  for (const [traceId, all] of byTrace) {
    // A duplicated span (a re-sent batch) must not count twice: the first copy wins.
    const byId = new Map<string, SpanNode>();
    const nodes: SpanNode[] = [];
    for (const node of all) {
      if (byId.has(node.span.spanId)) continue;
      byId.set(node.span.spanId, node);
      nodes.push(node);
    }
    const trace: Trace = { traceId, nodes, tops: [] };
    for (const node of nodes) {
      const parentId = node.span.parentSpanId;
      const parent = parentId !== '' && parentId !== node.span.spanId ? byId.get(parentId) : undefined;
      if (parent) {
        node.parent = parent;
        if (parent.children === NO_CHILDREN) parent.children = [node];
        else parent.children.push(node);
      } else {
        trace.tops.push(node);
      }
    }
    traces.push(trace);
  }
  return traces;
}

const endOf = (s: SpanRecord) => s.startMs + Math.max(0, s.durationMs);

/**
 * Time of the span not covered by any child (children clipped to the span):
 * work done here rather than waiting on others.
 */
export function selfTimeMs(node: SpanNode): number {
  const span = node.span;
  const duration = Number.isFinite(span.durationMs) ? Math.max(0, span.durationMs) : 0;
  const children = node.children;
  if (children.length === 0) return duration;
  const start = span.startMs;
  const end = start + duration;
  if (children.length === 1) {
    const c = children[0]!.span;
    const covered = Math.min(end, endOf(c)) - Math.max(start, c.startMs);
    return covered > 0 ? duration - covered : duration;
  }
  const intervals: [number, number][] = [];
  for (const child of children) {
    const c = child.span;
    const s = Math.max(start, c.startMs);
    const e = Math.min(end, endOf(c));
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
