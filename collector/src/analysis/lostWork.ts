// Faults that change no timing and set no error flag (an exception caught and answered, a
// wrong return value) still cut work short: the operation that failed stops making the calls
// and steps that used to follow. Per request span of a service and per kind of direct child
// (by name), the share of requests that have that child is followed in time order; the one
// moment where it drops and stays down (rank test over the has/has-not sequence) names the
// service whose own work changed. The services it no longer calls are not to blame: they
// simply get fewer calls.
import type { SpanRecord } from '../model.js';
import { endOf, MAX_DEPTH } from './tracePass.js';
import type { IncidentWindow } from './incidents.js';
import type { RootCause } from './rootCauseTypes.js';
import { EVIDENCE_TRACES_MAX } from './tally.js';
import { isServerSide } from './spanContribution.js';
import { indexTraces, type TraceIndex } from './traceIndex.js';
import { requireNonNegative } from './options.js';

export interface LostWorkOptions {
  /** Fewest requests on each side of the drop. Default 5. */
  minSideRequests?: number;
  /** Two-proportion z of "fewer requests have the child from here on" (all 12 before and none of 5 after: 4.1). Default 4. */
  minZ?: number;
  /** The share after is at most this × the share before. Default 0.5. */
  maxShareRatio?: number;
  /** The child was there in at least this share of requests before. Default 0.5. */
  minShareBefore?: number;
  /** Normal before the drop, and time after it, ms. Default 10,000 / 8,000. */
  minNormalMs?: number;
  minAfterMs?: number;
  /** Whole traces read at most. Default 5,000. */
  tracesMax?: number;
}

export interface LostWork {
  service: string;
  operation: string;
  /** The child that went missing. */
  child: string;
  startMs: number;
  /** End of the last span of the data. */
  endMs: number;
  z: number;
  shareBefore: number;
  shareAfter: number;
  /** Requests after the drop that lack the child (evidence), most recent last. */
  traceIds: string[];
  /** Services from this one to the entry point, as the first such request travelled. */
  path: string[];
}

type Resolved = Required<LostWorkOptions>;

function resolve(o: LostWorkOptions): Resolved {
  const r: Resolved = {
    minSideRequests: o.minSideRequests ?? 5,
    minZ: o.minZ ?? 4,
    maxShareRatio: o.maxShareRatio ?? 0.5,
    minShareBefore: o.minShareBefore ?? 0.5,
    minNormalMs: o.minNormalMs ?? 10_000,
    minAfterMs: o.minAfterMs ?? 8_000,
    tracesMax: o.tracesMax ?? 5_000,
  };
  requireNonNegative('lostWork', r);
  r.minSideRequests = Math.max(3, Math.floor(r.minSideRequests));
  return r;
}

interface Request {
  span: number;
  timeMs: number;
  traceId: string;
  children: Set<string>;
}

/**
 * The strongest sustained drop in the work one service's requests do, or null. `fromMs`:
 * drops before it are not reported.
 */
export function lostWork(spans: readonly SpanRecord[], fromMs: number, options: LostWorkOptions = {}): LostWork | null {
  const o = resolve(options);
  const ix = indexTraces(spans, o.tracesMax);
  const byOperation = new Map<string, { service: string; operation: string; requests: Request[] }>();
  let endMs = -Infinity;
  for (let i = 0; i < ix.spans.length; i++) {
    const span = ix.spans[i]!;
    endMs = Math.max(endMs, endOf(span));
    const p = ix.parent[i]!;
    // A service's request: a server-side span whose parent ran elsewhere (or none).
    if (ix.caller[i] || !isServerSide(span) || (p !== -1 && ix.spans[p]!.service === span.service)) continue;
    const children = new Set<string>();
    for (let c = ix.firstChild[i]!; c !== -1; c = ix.nextSibling[c]!) children.add(ix.spans[c]!.name);
    const key = `${span.service}\u0000${span.name}`;
    let e = byOperation.get(key);
    if (!e) byOperation.set(key, (e = { service: span.service, operation: span.name, requests: [] }));
    e.requests.push({ span: i, timeMs: span.startMs, traceId: span.traceId, children });
  }
  let best: LostWork | null = null;
  for (const { service, operation, requests } of byOperation.values()) {
    const n = requests.length;
    if (n < 2 * o.minSideRequests) continue;
    requests.sort((a, b) => a.timeMs - b.timeMs);
    const names = new Set<string>();
    for (const r of requests) for (const c of r.children) names.add(c);
    for (const child of names) {
      // has[k] = 1 when request k has the child; prefix counts give every split's two shares at once.
      const prefix = new Int32Array(n + 1);
      for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k]! + (requests[k]!.children.has(child) ? 1 : 0);
      const total = prefix[n]!;
      // The best split of this child first, then fromMs: a drop that began before the range is not one that began in it.
      let bestK = -1;
      let bestZ = o.minZ;
      for (let k = o.minSideRequests; k <= n - o.minSideRequests; k++) {
        const atMs = requests[k]!.timeMs;
        if (atMs - requests[0]!.timeMs < o.minNormalMs || requests[n - 1]!.timeMs - atMs < o.minAfterMs) continue;
        const before = prefix[k]! / k;
        const after = (total - prefix[k]!) / (n - k);
        if (before < o.minShareBefore || after > o.maxShareRatio * before) continue;
        // Two-proportion z (pooled): the rank test of a has/has-not sequence.
        const pooled = total / n;
        const sd = Math.sqrt(pooled * (1 - pooled) * (1 / k + 1 / (n - k)));
        const z = sd > 0 ? (before - after) / sd : 0;
        if (z >= bestZ) {
          bestK = k;
          bestZ = z;
        }
      }
      if (bestK === -1 || requests[bestK]!.timeMs < fromMs || (best && bestZ <= best.z)) continue;
      const k = bestK;
      const lacking = requests.slice(k).filter((r) => !r.children.has(child));
      const traceIds = [...new Set(lacking.map((r) => r.traceId))].slice(0, EVIDENCE_TRACES_MAX);
      best = {
        service,
        operation,
        child,
        startMs: requests[k]!.timeMs,
        endMs,
        z: bestZ,
        shareBefore: prefix[k]! / k,
        shareAfter: (total - prefix[k]!) / (n - k),
        traceIds,
        path: pathUp(ix, lacking[0]?.span ?? requests[k]!.span),
      };
    }
  }
  return best;
}

/** Services from span i up to its trace's root, each once per run. */
function pathUp(ix: TraceIndex, i: number): string[] {
  const path: string[] = [];
  for (let cur = i, depth = 0; cur !== -1 && depth < MAX_DEPTH; cur = ix.parent[cur]!, depth++) {
    const service = ix.spans[cur]!.service;
    if (path[path.length - 1] !== service) path.push(service);
  }
  return path;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The drop as an incident window; `ongoing` is for the caller to decide. */
export function lostWorkIncident(l: LostWork, ongoing: boolean): IncidentWindow {
  return {
    startMs: l.startMs,
    endMs: l.endMs,
    affected: [l.service],
    ongoing,
    signals: [`${l.service}: "${l.operation}" requests that go on to "${l.child}" fell from ${pct(l.shareBefore)} to ${pct(l.shareAfter)} (z ${l.z.toFixed(1)})`],
  };
}

/** The service whose requests stopped doing part of their work, as a root cause. */
export function lostWorkCause(l: LostWork): RootCause {
  return {
    service: l.service,
    operation: l.operation,
    score: Math.round(Math.min(1, Math.max(0, l.shareBefore - l.shareAfter)) * 1000) / 1000,
    reason:
      `Work cut short in ${l.service} "${l.operation}": ${pct(l.shareBefore)} of its requests went on to "${l.child}" before, ` +
      `${pct(l.shareAfter)} since (an exception or a wrong value that ends the request early; no error or timing shows it).`,
    path: l.path,
    traceIds: l.traceIds,
    virtual: false,
    failingRequests: 0,
    slowRequests: 0,
  };
}
