// Incident detection from the spans themselves, at a resolution of seconds:
// every service's requests (its server-side spans), judged group by group
// against that service's own recent normal, by robust statistics. Per-minute
// aggregates cannot see a fault 20 s after the data starts; this can.
import type { SpanRecord } from '../model.js';
import { type IncidentWindow, mergeServiceWindows, type ServiceWindow } from './incidents.js';
import { isServerSide } from './spanContribution.js';
import { indexTraces } from './traceIndex.js';
import { carriesFailure, requestFailed } from './failures.js';
import { requireNonNegative } from './options.js';

export interface SpanIncidentOptions {
  /** Requests of one operation judged together. Default 12. */
  judgeRequests?: number;
  /** A rare operation is judged on fewer requests, down to this many, once they cover `sparseGroupMs`. Default 5. */
  sparseGroupRequests?: number;
  /** Time after which a rare operation's requests so far form a group, ms. Default 15,000. */
  sparseGroupMs?: number;
  /** Raised groups must cover at least this long to open an incident: a burst of a few seconds is no fault, ms. Default 8,000. */
  minOpenMs?: number;
  /** Longest span of time one judged group may cover, ms. Default 60,000. */
  judgeMaxMs?: number;
  /** How far back normal is taken from, ms. Default 600,000. */
  baselineMs?: number;
  /** Fewest normal requests to judge against; below, only the absolute error bound applies. Default 20. */
  minBaselineRequests?: number;
  /** Most recent normal requests judged against (bounds the work per group). Default 300. */
  baselineRequestsMax?: number;
  /** Latency is raised when the group's median is at least this × the normal median … Default 1.3. */
  latencyFactor?: number;
  /** … and at least this many ms above it … Default 3. */
  latencyDeltaMs?: number;
  /** … and at least this share of the group is slower than the normal 90th percentile. Default 0.5. */
  slowShare?: number;
  /** Fewest errors in a group to call its error rate raised. Default 3. */
  minErrors?: number;
  /** Error rate must exceed normal + this … Default 0.05. */
  errorRateDelta?: number;
  /** … and normal × this. Default 2. */
  errorRateFactor?: number;
  /** Error rate that is raised with no usable normal. Default 0.2. */
  absoluteErrorRate?: number;
  /** Fewest trailing requests of a rare operation that can open an incident on overwhelming evidence. Default 4. */
  strongRequests?: number;
  /** Normal requests that succeeded that overwhelming evidence is judged against, at least. Default 8. */
  minStrongBaseline?: number;
  /** Overwhelming: every request slower than this × the slowest normal one (+ `latencyDeltaMs`). Default 1.5. */
  strongFactor?: number;
  /** Raised groups in a row that open an incident (one noisy group is not an incident). Default 2. */
  openAfterGroups?: number;
  /** Healthy groups in a row that close an incident. Default 3. */
  closeAfterGroups?: number;
  /** An incident with no bad group for this long closes, ms. Default 60,000. */
  closeAfterQuietMs?: number;
  /** Whole traces analysed at most. Default 5,000. */
  tracesMax?: number;
}

type Resolved = Required<SpanIncidentOptions>;

export function resolveSpanIncidentOptions(o: SpanIncidentOptions = {}): Resolved {
  const r: Resolved = {
    judgeRequests: o.judgeRequests ?? 12,
    sparseGroupRequests: o.sparseGroupRequests ?? 5,
    sparseGroupMs: o.sparseGroupMs ?? 15_000,
    minOpenMs: o.minOpenMs ?? 8_000,
    judgeMaxMs: o.judgeMaxMs ?? 60_000,
    baselineMs: o.baselineMs ?? 600_000,
    minBaselineRequests: o.minBaselineRequests ?? 20,
    baselineRequestsMax: o.baselineRequestsMax ?? 300,
    latencyFactor: o.latencyFactor ?? 1.3,
    latencyDeltaMs: o.latencyDeltaMs ?? 3,
    slowShare: o.slowShare ?? 0.5,
    minErrors: o.minErrors ?? 3,
    errorRateDelta: o.errorRateDelta ?? 0.05,
    errorRateFactor: o.errorRateFactor ?? 2,
    absoluteErrorRate: o.absoluteErrorRate ?? 0.2,
    strongRequests: o.strongRequests ?? 4,
    minStrongBaseline: o.minStrongBaseline ?? 8,
    strongFactor: o.strongFactor ?? 1.5,
    openAfterGroups: o.openAfterGroups ?? 2,
    closeAfterGroups: o.closeAfterGroups ?? 3,
    closeAfterQuietMs: o.closeAfterQuietMs ?? 60_000,
    tracesMax: o.tracesMax ?? 5_000,
  };
  requireNonNegative('detectSpanIncidents', r);
  r.judgeRequests = Math.max(3, Math.floor(r.judgeRequests));
  r.sparseGroupRequests = Math.min(r.judgeRequests, Math.max(3, Math.floor(r.sparseGroupRequests)));
  r.closeAfterGroups = Math.max(1, Math.floor(r.closeAfterGroups));
  r.openAfterGroups = Math.max(1, Math.floor(r.openAfterGroups));
  return r;
}

interface Point {
  timeMs: number;
  durationMs: number;
  failed: boolean;
}

/** Each (service, operation)'s requests in time order: one operation's durations are comparable, a mix of them is not. */
function seriesOf(spans: readonly SpanRecord[], tracesMax: number): Map<string, { service: string; points: Point[] }> {
  const ix = indexTraces(spans, tracesMax);
  const out = new Map<string, { service: string; points: Point[] }>();
  for (let i = 0; i < ix.spans.length; i++) {
    const span = ix.spans[i]!;
    const p = ix.parent[i]!;
    // Calls count too: a slow hop (network, a starved callee's queue) shows in the caller's wait before anywhere else.
    const call = ix.caller[i] === 1 && (p === -1 || ix.caller[p] === 0);
    if (!call) {
      if (!isServerSide(span) && p !== -1) continue;
      // A service's request is its topmost span of a run in that service: nested server spans of one request count once.
      if (p !== -1 && ix.spans[p]!.service === span.service) continue;
    }
    const key = `${span.service}\u0000${call ? 'call' : 'serve'}\u0000${span.name}`;
    let series = out.get(key);
    if (!series) out.set(key, (series = { service: span.service, points: [] }));
    series.points.push({ timeMs: span.startMs, durationMs: Math.max(0, span.durationMs), failed: call ? carriesFailure(ix, i) : requestFailed(ix, i) });
  }
  for (const series of out.values()) series.points.sort((a, b) => a.timeMs - b.timeMs);
  return out;
}

function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

type Verdict = { kind: 'healthy' } | { kind: 'raised'; signal: string; absolute: boolean };

function judge(group: readonly Point[], normal: readonly Point[], o: Resolved): Verdict {
  let errors = 0;
  for (const p of group) if (p.failed) errors++;
  const rate = errors / group.length;
  if (normal.length < o.minBaselineRequests) {
    if (errors >= o.minErrors && rate >= o.absoluteErrorRate) {
      return { kind: 'raised', absolute: true, signal: `error rate ${pct(rate)} (no baseline, threshold ${pct(o.absoluteErrorRate)})` };
    }
    return { kind: 'healthy' };
  }
  let normalErrors = 0;
  const ok: number[] = [];
  for (const p of normal) {
    if (p.failed) normalErrors++;
    else ok.push(p.durationMs);
  }
  const baseRate = normalErrors / normal.length;
  const rateLimit = Math.min(Math.max(baseRate + o.errorRateDelta, baseRate * o.errorRateFactor), baseRate + (1 - baseRate) / 2);
  if (errors >= o.minErrors && rate > rateLimit) {
    // Binomial z against the normal rate (floored so that a clean baseline still needs several errors).
    const p0 = Math.max(baseRate, 1 / (normal.length + 1));
    const z = (errors - group.length * p0) / Math.sqrt(group.length * p0 * (1 - p0));
    if (z >= 3) return { kind: 'raised', absolute: false, signal: `error rate ${pct(rate)} (baseline ${pct(baseRate)})` };
  }
  if (ok.length < o.minBaselineRequests) return { kind: 'healthy' };
  const sortedNormal = Float64Array.from(ok).sort();
  const normalMedian = quantileSorted(sortedNormal, 0.5);
  const normalP90 = quantileSorted(sortedNormal, 0.9);
  const current = Float64Array.from(group.map((p) => p.durationMs)).sort();
  const median = quantileSorted(current, 0.5);
  let slower = 0;
  for (const v of current) if (v > normalP90) slower++;
  if (median >= normalMedian * o.latencyFactor && median - normalMedian >= o.latencyDeltaMs && slower / current.length >= o.slowShare) {
    return { kind: 'raised', absolute: false, signal: `median ${median.toFixed(1)} ms (baseline ${normalMedian.toFixed(1)} ms, p90 ${normalP90.toFixed(1)} ms)` };
  }
  return { kind: 'healthy' };
}


/**
 * A handful of requests, every one far slower than anything normal: with at
 * least `strongRequests` of them against `minStrongBaseline` normal ones, even
 * a rare operation's few calls since a fault are enough. Returns the signal, or null.
 */
function strongShift(group: readonly Point[], normal: readonly Point[], o: Resolved): string | null {
  if (group.length < o.strongRequests) return null;
  // Normal's slowest is taken over requests that succeeded: a normal of failures only says nothing about speed.
  let normalMax = 0;
  let ok = 0;
  for (const p of normal) {
    if (p.failed) continue;
    ok++;
    if (p.durationMs > normalMax) normalMax = p.durationMs;
  }
  if (ok < o.minStrongBaseline) return null;
  let groupMin = Infinity;
  for (const p of group) groupMin = Math.min(groupMin, p.durationMs);
  if (!(groupMin >= normalMax * o.strongFactor + o.latencyDeltaMs)) return null;
  return `all of the last ${group.length} requests took ${groupMin.toFixed(1)} ms or more (normal at most ${normalMax.toFixed(1)} ms)`;
}

function windowsOf(service: string, points: readonly Point[], o: Resolved): ServiceWindow[] {
  const windows: ServiceWindow[] = [];
  // Normal is what was judged healthy (or raised only for want of a baseline): an incident never becomes its own normal.
  const normal: Point[] = [];
  let normalStart = 0;
  let open: ServiceWindow | null = null;
  let healthyRun = 0;
  const pending: { startMs: number; endMs: number; signal: string; group: Point[]; absolute: boolean }[] = [];
  for (let k = 0; k < points.length; ) {
    const first = points[k]!;
    let end = k;
    while (end < points.length && end - k < o.judgeRequests && points[end]!.timeMs - first.timeMs <= o.judgeMaxMs) {
      end++;
      if (end - k >= o.sparseGroupRequests && points[end - 1]!.timeMs - first.timeMs >= o.sparseGroupMs) break;
    }
    const group = points.slice(k, end);
    const lastMs = group[group.length - 1]!.timeMs;
    if (group.length < o.judgeRequests && !(group.length >= o.sparseGroupRequests && lastMs - first.timeMs >= o.sparseGroupMs)) {
      // Too few requests to judge: they count as normal only when nothing is open.
      if (!open) normal.push(...group);
      if (open && first.timeMs - open.endMs > o.closeAfterQuietMs) {
        open.ongoing = false;
        open = null;
      }
      k = end;
      continue;
    }
    while (normalStart < normal.length && normal[normalStart]!.timeMs < first.timeMs - o.baselineMs) normalStart++;
    const verdict = judge(group, normal.slice(Math.max(normalStart, normal.length - o.baselineRequestsMax)), o);
    const groupEnd = group[group.length - 1]!;
    const groupEndMs = groupEnd.timeMs + groupEnd.durationMs;
    if (open && first.timeMs - open.endMs > o.closeAfterQuietMs) {
      open.ongoing = false;
      open = null;
    }
    if (verdict.kind === 'raised') {
      healthyRun = 0;
      // A shift against the normal just learnt is a window of its own, not the tail of the no-baseline one.
      if (open?.noBaseline && !verdict.absolute) {
        open.ongoing = false;
        open = null;
      }
      if (open) open.endMs = Math.max(open.endMs, groupEndMs);
      else {
        if (pending.length > 0 && pending[0]!.absolute !== verdict.absolute) pending.length = 0;
        pending.push({ startMs: first.timeMs, endMs: groupEndMs, signal: verdict.signal, group, absolute: verdict.absolute });
        if (pending.length >= o.openAfterGroups && groupEndMs - pending[0]!.startMs >= o.minOpenMs) {
          open = { service, startMs: pending[0]!.startMs, endMs: groupEndMs, ongoing: true, signal: pending[0]!.signal };
          if (pending[0]!.absolute) open.noBaseline = true;
          windows.push(open);
          pending.length = 0;
        }
      }
      if (verdict.absolute) normal.push(...group);
    } else {
      // A lone raised group was noise after all: it joins the normal it was judged against.
      for (const p of pending) if (!open) normal.push(...p.group);
      pending.length = 0;
      if (open && ++healthyRun >= o.closeAfterGroups) {
        open.ongoing = false;
        open = null;
      }
      if (!open) normal.push(...group);
    }
    k = end;
  }
  // The last few requests of a rare operation, too few for a group: judged only when the evidence is overwhelming.
  if (!open && points.length >= o.strongRequests) {
    const tail = points.slice(points.length - o.strongRequests);
    const startMs = tail[0]!.timeMs;
    const before = normal.filter((p) => p.timeMs < startMs && p.timeMs >= startMs - o.baselineMs).slice(-o.baselineRequestsMax);
    const signal = strongShift(tail, before, o);
    if (signal !== null) {
      const last = tail[tail.length - 1]!;
      windows.push({ service, startMs, endMs: last.timeMs + last.durationMs, ongoing: true, signal });
    }
  }
  return windows;
}

export interface SpanIncidentRange {
  /** Incidents ending before this are not reported. */
  fromMs: number;
  /** An incident is `ongoing` only while its service is still bad within `closeAfterQuietMs` of this. */
  nowMs: number;
}

/**
 * Incidents across every service that reports requests: each judged against
 * its own recent normal, windows that overlap merged. `spans` are whole traces
 * from before the range (the normal) and in it.
 */
export function detectSpanIncidents(spans: readonly SpanRecord[], range: SpanIncidentRange, options?: SpanIncidentOptions): IncidentWindow[] {
  return mergeServiceWindows(spanWindows(spans, range, options));
}

/** Each service's bad stretches that end in the range, before merging (see mergeServiceWindows). */
export function spanWindows(spans: readonly SpanRecord[], range: SpanIncidentRange, options?: SpanIncidentOptions): ServiceWindow[] {
  const o = resolveSpanIncidentOptions(options);
  const all: ServiceWindow[] = [];
  for (const { service, points } of seriesOf(spans, o.tracesMax).values()) all.push(...windowsOf(service, points, o));
  for (const w of all) if (w.ongoing && range.nowMs - w.endMs > o.closeAfterQuietMs) w.ongoing = false;
  return all.filter((w) => w.endMs >= range.fromMs);
}
