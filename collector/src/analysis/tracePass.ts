// One trace index as root-cause ranking walks it: per-span caches, and the
// small trace-shape questions every step asks (who answered a call, which
// endpoint a span ran in, the services between a span and its entry point).

import type { SpanRecord } from '../model.js';
import type { Blame } from './rootCauseTypes.js';
import { isServerSide } from './spanContribution.js';
import { selfTimeMs, type TraceIndex, type TraceRange } from './traceIndex.js';
import { carriesFailure } from './failures.js';
import { isBackgroundRoot } from './linkedWork.js';

/** Levels walked at most up or down one trace (bounds the walk on a malformed or absurdly deep trace). */
export const MAX_DEPTH = 256;

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** One index with the per-span caches of this analysis. */
export class Pass {
  readonly selfMs: Float64Array;
  readonly blameKeys: (string | undefined)[];
  readonly entries: (number | undefined)[];

  constructor(readonly ix: TraceIndex) {
    this.selfMs = new Float64Array(ix.spans.length).fill(Number.NaN);
    this.blameKeys = new Array<string | undefined>(ix.spans.length);
    this.entries = new Array<number | undefined>(ix.traces.length);
  }

  self(i: number): number {
    let v = this.selfMs[i]!;
    if (Number.isNaN(v)) this.selfMs[i] = v = selfTimeMs(this.ix, i);
    return v;
  }
}

export const endOf = (s: SpanRecord) => s.startMs + Math.max(0, s.durationMs);

/** The callee's own span under a caller-side span (the longest, if a retry produced several); -1 when it never answered. */
export function calleeChild(ix: TraceIndex, i: number): number {
  let best = -1;
  for (let c = ix.firstChild[i]!; c !== -1; c = ix.nextSibling[c]!) {
    if (ix.caller[c]) continue;
    if (best === -1 || ix.spans[c]!.durationMs > ix.spans[best]!.durationMs) best = c;
  }
  return best;
}

/** The endpoint of the service the span ran in: its nearest server-side ancestor in the same service. */
export function operationOf(ix: TraceIndex, i: number): string {
  const service = ix.spans[i]!.service;
  let cur = i;
  for (let depth = 0; cur !== -1 && ix.spans[cur]!.service === service && depth < MAX_DEPTH; depth++) {
    if (!ix.caller[cur] && isServerSide(ix.spans[cur]!)) return ix.spans[cur]!.name;
    cur = ix.parent[cur]!;
  }
  return ix.spans[i]!.name;
}

export function pathFrom(ix: TraceIndex, blame: Blame, from: number, entry: number): string[] {
  const path = [blame.service];
  let cur = from;
  for (let depth = 0; cur !== -1 && depth < MAX_DEPTH; depth++) {
    const service = ix.spans[cur]!.service;
    if (path[path.length - 1] !== service) path.push(service);
    if (cur === entry) break;
    cur = ix.parent[cur]!;
  }
  return path;
}

export function hasFailedChild(ix: TraceIndex, i: number): boolean {
  for (let c = ix.firstChild[i]!; c !== -1; c = ix.nextSibling[c]!) if (carriesFailure(ix, c)) return true;
  return false;
}

/**
 * The span that stands for a trace's request (-1: none): the earliest topmost
 * span of an entry service, searched level by level; with no entry services,
 * the earliest root span (else the earliest topmost span).
 */
export function findEntry(ix: TraceIndex, trace: TraceRange, entrySet: ReadonlySet<string>): number {
  if (entrySet.size === 0) {
    let best = -1;
    let bestIsRoot = false;
    for (const i of trace.tops) {
      const isRoot = ix.spans[i]!.parentSpanId === '';
      if (best === -1 || (isRoot && !bestIsRoot) || (isRoot === bestIsRoot && ix.spans[i]!.startMs < ix.spans[best]!.startMs)) {
        best = i;
        bestIsRoot = isRoot;
      }
    }
    // Background work whose request is not in the sample is no request of its own.
    return best !== -1 && isBackgroundRoot(ix.spans[best]!) ? -1 : best;
  }
  let level: number[] = trace.tops;
  for (let depth = 0; level.length > 0 && depth < MAX_DEPTH; depth++) {
    let best = -1;
    for (const i of level) {
      if (entrySet.has(ix.spans[i]!.service) && (best === -1 || ix.spans[i]!.startMs < ix.spans[best]!.startMs)) best = i;
    }
    if (best !== -1) return best;
    const next: number[] = [];
    for (const i of level) for (let c = ix.firstChild[i]!; c !== -1; c = ix.nextSibling[c]!) next.push(c);
    level = next;
  }
  return -1;
}
