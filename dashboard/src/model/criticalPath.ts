// Critical path of a trace, as Jaeger computes it: from the root's end, walk back through the
// child that finished last before the current point, so that each moment of the trace's
// duration is attributed to the one span whose work the trace was waiting on.
import type { Span } from '../api/types.js';

export interface CriticalSection {
  spanId: string;
  startMs: number;
  endMs: number;
}

type Timed = Pick<Span, 'spanId' | 'parentSpanId' | 'startMs' | 'durationMs'>;

interface Clipped {
  spanId: string;
  startMs: number;
  endMs: number;
  children: Clipped[];
}

/**
 * Sections (latest first) of the critical path of the trace's root span. Children are clipped
 * to their parent's interval (async work that outlives its parent is not on the parent's path);
 * several roots or a parent cycle give a warning, never an exception.
 */
export function criticalPath(spans: readonly Timed[]): { result: CriticalSection[]; warnings: string[] } {
  const warnings: string[] = [];
  if (spans.length === 0) return { result: [], warnings };
  const byId = new Map<string, Timed>();
  for (const s of spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);
  const children = new Map<string, Timed[]>();
  const roots: Timed[] = [];
  for (const s of byId.values()) {
    if (s.parentSpanId && byId.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else roots.push(s);
  }
  if (roots.length === 0) return { result: [], warnings: ['no root span (parent cycle): no critical path'] };
  // The longest root: the request the trace is about.
  const root = [...roots].sort((a, b) => b.durationMs - a.durationMs || a.startMs - b.startMs)[0]!;
  if (roots.length > 1) warnings.push(`${roots.length} root spans: critical path of the longest (${root.spanId})`);

  // Clip each subtree into its parent's interval, iteratively (deep traces would overflow the stack).
  const top: Clipped = { spanId: root.spanId, startMs: root.startMs, endMs: root.startMs + root.durationMs, children: [] };
  const stack: Clipped[] = [top];
  const visited = new Set<string>([root.spanId]);
  while (stack.length > 0) {
    const parent = stack.pop()!;
    for (const c of children.get(parent.spanId) ?? []) {
      if (visited.has(c.spanId)) continue;
      visited.add(c.spanId);
      const startMs = Math.max(c.startMs, parent.startMs);
      const endMs = Math.min(c.startMs + c.durationMs, parent.endMs);
      if (endMs < startMs || c.startMs > parent.endMs) continue;
      const node: Clipped = { spanId: c.spanId, startMs, endMs, children: [] };
      parent.children.push(node);
      stack.push(node);
    }
  }

  const out: CriticalSection[] = [];
  const parentOf = new Map<Clipped, Clipped>();
  for (const stackNode of walk(top)) for (const c of stackNode.children) parentOf.set(c, stackNode);
  let current: Clipped | undefined = top;
  let before: number | null = null;
  while (current) {
    const limit: number = before ?? current.endMs;
    // The child that finished last, strictly before the point we are walking back from.
    let last: Clipped | null = null;
    for (const c of current.children) if (c.endMs < limit || (before === null && c.endMs <= limit)) if (!last || c.endMs > last.endMs) last = c;
    if (last) {
      if (last.endMs < limit) out.push({ spanId: current.spanId, startMs: last.endMs, endMs: limit });
      current = last;
      before = null;
    } else {
      if (current.startMs < limit || out.length === 0) out.push({ spanId: current.spanId, startMs: current.startMs, endMs: limit });
      before = current.startMs;
      current = parentOf.get(current);
      // Children that start before the returning child are candidates; the child itself is excluded by `< before`.
    }
  }
  return { result: out, warnings };
}

function* walk(n: Clipped): Generator<Clipped> {
  const stack = [n];
  while (stack.length > 0) {
    const x = stack.pop()!;
    yield x;
    stack.push(...x.children);
  }
}

/** Sections per span id, for drawing. */
export function sectionsBySpan(sections: readonly CriticalSection[]): Map<string, CriticalSection[]> {
  const out = new Map<string, CriticalSection[]>();
  for (const s of sections) {
    const list = out.get(s.spanId) ?? [];
    list.push(s);
    out.set(s.spanId, list);
  }
  return out;
}
