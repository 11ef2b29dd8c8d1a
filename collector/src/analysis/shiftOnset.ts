// When the group-by-group detector opened nothing, the window may still hold a fault whose
// effect is modest but sustained (a CPU-starved callee, a few ms more on one hop), or that
// began shortly before the data ends. This finds the one moment where one place's own time
// (self-time per service and operation, or the gap between a caller and its callee) steps up
// and stays up: per key, every split of its samples in time order is scored by a rank test
// (Mann–Whitney U, computed for all splits at once from prefix sums of pooled ranks), and the
// strongest split with a large enough effect and a long enough slow side is the onset.
// Slower before and faster after (warm-up) is never an onset.
import type { SpanRecord } from '../model.js';
import type { IncidentWindow } from './incidents.js';
import { carriesFailure } from './failures.js';
import { calleeChild, endOf } from './tracePass.js';
import { indexTraces, selfTimeMs } from './traceIndex.js';
import { requireNonNegative } from './options.js';

export interface ShiftOnsetOptions {
  /** Fewest samples of one key on each side of a split. Default 10. */
  minSideSamples?: number;
  /** Rank-test z (later side slower) that counts as a step. Default 6. */
  minZ?: number;
  /** Smallest rise of the median, relative (0.5 = +50 %). Default 0.5. */
  minRelativeShift?: number;
  /** Smallest rise of the median, ms. Default 1. */
  minShiftMs?: number;
  /** The slower side must cover at least this long, ms: a burst is no fault. Default 8,000. */
  minSlowMs?: number;
  /** … and the normal side at least this long, ms. Default 10,000. */
  minNormalMs?: number;
  /**
   * A rare operation's few calls since a fault cannot reach `minZ`: its last samples also count
   * as a step when every one is slower than any before and their median is at least this × the
   * slowest before. Default 3.
   */
  strongFactor?: number;
  /** … with at least this many samples before, … Default 4. */
  strongBefore?: number;
  /** … at least this many since, … Default 2. */
  strongAfter?: number;
  /** … and the chance of that order by luck (1 / C(n, since)) at most this. Default 0.01. */
  strongChance?: number;
  /** Whole traces read at most. Default 5,000. */
  tracesMax?: number;
}

type Resolved = Required<ShiftOnsetOptions>;

function resolve(o: ShiftOnsetOptions): Resolved {
  const r: Resolved = {
    minSideSamples: o.minSideSamples ?? 10,
    minZ: o.minZ ?? 6,
    minRelativeShift: o.minRelativeShift ?? 0.5,
    minShiftMs: o.minShiftMs ?? 1,
    minSlowMs: o.minSlowMs ?? 8_000,
    minNormalMs: o.minNormalMs ?? 10_000,
    strongFactor: o.strongFactor ?? 3,
    strongBefore: o.strongBefore ?? 4,
    strongAfter: o.strongAfter ?? 2,
    strongChance: o.strongChance ?? 0.01,
    tracesMax: o.tracesMax ?? 5_000,
  };
  requireNonNegative('shiftOnset', r);
  r.minSideSamples = Math.max(3, Math.floor(r.minSideSamples));
  r.strongBefore = Math.max(2, Math.floor(r.strongBefore));
  r.strongAfter = Math.max(1, Math.floor(r.strongAfter));
  return r;
}

interface Sample {
  timeMs: number;
  valueMs: number;
}

export interface Onset {
  /** Where the step is: `service` and what of it (an operation's own time, or the wait on a callee). */
  service: string;
  what: string;
  startMs: number;
  /** End of the last span of the data. */
  endMs: number;
  z: number;
  beforeMedianMs: number;
  afterMedianMs: number;
}

/** Per key, (start, own time) of every span that did not fail, in time order. */
function samplesOf(spans: readonly SpanRecord[], tracesMax: number): { series: Map<string, { service: string; what: string; samples: Sample[] }>; endMs: number } {
  const ix = indexTraces(spans, tracesMax);
  const series = new Map<string, { service: string; what: string; samples: Sample[] }>();
  let endMs = -Infinity;
  for (let i = 0; i < ix.spans.length; i++) {
    const span = ix.spans[i]!;
    endMs = Math.max(endMs, endOf(span));
    if (carriesFailure(ix, i)) continue;
    let what = span.name;
    if (ix.caller[i]) {
      // A call's own time is the wait around its callee's span: the callee's queue, the wire, a starved caller.
      const c = calleeChild(ix, i);
      if (c === -1 || ix.spans[c]!.service === span.service) continue;
      what = `${span.name} → ${ix.spans[c]!.service}`;
    }
    const key = `${span.service}\u0000${what}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { service: span.service, what, samples: [] }));
    s.samples.push({ timeMs: span.startMs, valueMs: selfTimeMs(ix, i) });
  }
  for (const s of series.values()) s.samples.sort((a, b) => a.timeMs - b.timeMs);
  return { series, endMs };
}

function medianOf(values: number[]): number {
  values.sort((a, b) => a - b);
  const n = values.length;
  const mid = n >> 1;
  return n % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** Pooled ranks (ties averaged) of the values, in input order. */
function ranks(values: readonly number[]): Float64Array {
  const order = values.map((_, k) => k).sort((a, b) => values[a]! - values[b]!);
  const out = new Float64Array(values.length);
  for (let k = 0; k < order.length; ) {
    let end = k;
    while (end + 1 < order.length && values[order[end + 1]!] === values[order[k]!]) end++;
    const rank = (k + end) / 2 + 1;
    for (let j = k; j <= end; j++) out[order[j]!] = rank;
    k = end + 1;
  }
  return out;
}

/** Mann–Whitney z of "the samples from k on are slower", from prefix sums of pooled ranks. */
function splitZ(prefix: Float64Array, n: number, k: number): number {
  const before = k;
  const after = n - k;
  const u = prefix[n]! - prefix[k]! - (after * (after + 1)) / 2;
  return (u - (before * after) / 2) / Math.sqrt((before * after * (n + 1)) / 12);
}

/** ln C(n, k). */
function logChoose(n: number, k: number): number {
  let out = 0;
  for (let j = 1; j <= k; j++) out += Math.log(n - k + j) - Math.log(j);
  return out;
}

/** Samples since a fault checked by the strong rule at most (it is for rare operations). */
const STRONG_TAIL_MAX = 64;

/** The best split of one key's samples: the first slow sample's index and its z (null: none qualifies). */
function bestSplit(samples: readonly Sample[], o: Resolved): { k: number; z: number } | null {
  const n = samples.length;
  if (n < o.strongBefore + o.strongAfter) return null;
  const values = samples.map((s) => s.valueMs);
  const r = ranks(values);
  const prefix = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k]! + r[k]!;
  const firstMs = samples[0]!.timeMs;
  const lastMs = samples[n - 1]!.timeMs;
  let best: { k: number; z: number } | null = null;
  for (let k = o.minSideSamples; k <= n - o.minSideSamples; k++) {
    const atMs = samples[k]!.timeMs;
    if (atMs - firstMs < o.minNormalMs || lastMs - atMs < o.minSlowMs) continue;
    const z = splitZ(prefix, n, k);
    if (z >= o.minZ && (!best || z > best.z)) best = { k, z };
  }
  if (best) return best;
  // Strong rule: the longest tail that is slower than everything before it, by far.
  const maxBefore = new Float64Array(n + 1).fill(-Infinity);
  for (let k = 0; k < n; k++) maxBefore[k + 1] = Math.max(maxBefore[k]!, values[k]!);
  let tailMin = Infinity;
  for (let m = 1; m <= Math.min(STRONG_TAIL_MAX, n - o.strongBefore); m++) {
    const k = n - m;
    tailMin = Math.min(tailMin, values[k]!);
    const slowest = maxBefore[k]!;
    if (!(tailMin > slowest) || m < o.strongAfter || samples[k]!.timeMs - firstMs < o.minNormalMs || logChoose(n, m) < -Math.log(o.strongChance)) continue;
    const tailMedian = medianOf(values.slice(k));
    if (tailMedian >= o.strongFactor * slowest && tailMedian - slowest >= o.minShiftMs) best = { k, z: splitZ(prefix, n, k) };
  }
  return best;
}

/**
 * The strongest sustained step up in any one place's own time in `spans` (whole traces), or
 * null when none is large and long enough. `fromMs`: onsets before it are not reported.
 */
export function shiftOnset(spans: readonly SpanRecord[], fromMs: number, options: ShiftOnsetOptions = {}): Onset | null {
  const o = resolve(options);
  const { series, endMs } = samplesOf(spans, o.tracesMax);
  let best: Onset | null = null;
  for (const { service, what, samples } of series.values()) {
    const split = bestSplit(samples, o);
    if (!split || (best && split.z <= best.z)) continue;
    const beforeMedianMs = medianOf(samples.slice(0, split.k).map((s) => s.valueMs));
    const afterMedianMs = medianOf(samples.slice(split.k).map((s) => s.valueMs));
    const rise = afterMedianMs - beforeMedianMs;
    if (rise < o.minShiftMs || rise < o.minRelativeShift * beforeMedianMs) continue;
    const startMs = samples[split.k]!.timeMs;
    if (startMs < fromMs) continue;
    best = { service, what, startMs, endMs, z: split.z, beforeMedianMs, afterMedianMs };
  }
  return best;
}

/** The onset as an incident window; `ongoing` is for the caller to decide. */
export function onsetIncident(onset: Onset, ongoing: boolean): IncidentWindow {
  return {
    startMs: onset.startMs,
    endMs: onset.endMs,
    affected: [onset.service],
    ongoing,
    signals: [
      `${onset.service}: ${onset.what} own time stepped up from a median of ${onset.beforeMedianMs.toFixed(1)} ms to ${onset.afterMedianMs.toFixed(1)} ms (rank test z ${onset.z.toFixed(1)})`,
    ],
  };
}
