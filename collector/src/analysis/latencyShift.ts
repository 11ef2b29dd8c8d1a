// Localises latency faults that carry no error signal at all: per (service,
// operation) the time each span spent on its own (self-time), and per call the
// time between the caller's span and the callee's (network, queueing, a
// starved process), each compared with its baseline by robust statistics.
//
// A slow hop is charged to the callee by default. When the caller's other hops
// (its own callers' and its other callees') shifted too while the callee's
// other callers did not, the hop is the caller's doing (a delayed or starved
// caller process) and is charged to the caller.

export interface LatencySample {
  /** Blame key of whoever owns this time. */
  key: string;
  service: string;
  /** For hops: the caller's service (the callee is `service`). */
  caller?: string;
  valueMs: number;
  /** Where the sample came from (span index of the caller's trace index), for paths and evidence. */
  span: number;
  /** Trace index of that span. */
  trace: number;
}

export interface LatencyShiftOptions {
  /** Fewest baseline samples of a key to judge it. Default 5. */
  minBaselineSamples?: number;
  /** Fewest window samples of a key to judge it. Default 3. */
  minWindowSamples?: number;
  /** Robust z (median shift over the baseline's scaled MAD) that counts as shifted. Default 3. */
  minZ?: number;
  /** Smallest median shift that counts, ms. Default 1. */
  minShiftMs?: number;
  /** Smallest relative median shift that counts (0.25 = +25 %). Default 0.25. */
  minRelativeShift?: number;
  /**
   * A key with fewer window samples than `minWindowSamples` (a rare call since a fault) is still
   * judged when every one of them is at least this × the slowest baseline sample. Default 3.
   */
  strongFactor?: number;
  /**
   * A key also counts as shifted when at least this share of its window samples (and at least
   * `minWindowSamples`) lie beyond `tailFactor` × the baseline's 99th percentile (+ `minShiftMs`):
   * a starved process slows some requests a lot and leaves the median alone. Default 0.2.
   */
  minTailShare?: number;
  /** The factor on the baseline's 99th percentile in `minTailShare`. Default 2. */
  tailFactor?: number;
  /**
   * A shifted hop is charged to its caller only on evidence of the caller's own starvation: its
   * other hops (or its own time) add at least this fraction of the time per call this hop adds. A
   * loaded machine slows every call a little; a starved caller delays all of its calls alike.
   * Default 0.5.
   */
  comparableShiftFraction?: number;
}

export interface KeyShift {
  key: string;
  service: string;
  /** 'self': the service's own time; 'hop': the time between a caller and this callee. */
  kind: 'self' | 'hop';
  /** For hops: the caller. */
  caller?: string;
  baselineMedianMs: number;
  windowMedianMs: number;
  z: number;
  /** Time added beyond the baseline median, summed over the window's samples, ms. */
  addedMs: number;
  windowSamples: number;
  /** Share of the window's samples beyond the baseline's tail bound (see `minTailShare`). */
  tailShare: number;
}

interface Resolved {
  minBaselineSamples: number;
  minWindowSamples: number;
  minZ: number;
  minShiftMs: number;
  minRelativeShift: number;
  strongFactor: number;
  minTailShare: number;
  tailFactor: number;
  comparableShiftFraction: number;
}

function resolve(o: LatencyShiftOptions): Resolved {
  return {
    minBaselineSamples: o.minBaselineSamples ?? 5,
    minWindowSamples: o.minWindowSamples ?? 3,
    minZ: o.minZ ?? 3,
    minShiftMs: o.minShiftMs ?? 1,
    minRelativeShift: o.minRelativeShift ?? 0.25,
    strongFactor: o.strongFactor ?? 3,
    minTailShare: o.minTailShare ?? 0.2,
    tailFactor: o.tailFactor ?? 2,
    comparableShiftFraction: o.comparableShiftFraction ?? 0.5,
  };
}

function medianOf(sorted: Float64Array | number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export interface RobustStats {
  n: number;
  median: number;
  /** Median absolute deviation scaled to a normal σ (× 1.4826). */
  sigma: number;
}

export function robustStats(values: readonly number[]): RobustStats {
  const sorted = sortedCopy(values);
  const median = medianOf(sorted);
  const dev = new Float64Array(sorted.length);
  for (let k = 0; k < sorted.length; k++) dev[k] = Math.abs(sorted[k]! - median);
  dev.sort();
  return { n: sorted.length, median, sigma: 1.4826 * medianOf(dev) };
}

const groupKey = (s: LatencySample, kind: 'self' | 'hop') => (kind === 'hop' ? `${s.key}\u0001${s.caller ?? ''}` : s.key);

function groupSamples(samples: readonly LatencySample[], kind: 'self' | 'hop'): Map<string, { sample: LatencySample; values: number[] }> {
  const out = new Map<string, { sample: LatencySample; values: number[] }>();
  for (const s of samples) {
    if (!Number.isFinite(s.valueMs)) continue;
    const k = groupKey(s, kind);
    const g = out.get(k);
    if (g) g.values.push(s.valueMs);
    else out.set(k, { sample: s, values: [s.valueMs] });
  }
  return out;
}

/** Shifts of every key with enough samples on both sides, shifted or not (z may be ≤ 0). */
function shiftsOf(baseline: readonly LatencySample[], window: readonly LatencySample[], kind: 'self' | 'hop', o: Resolved): KeyShift[] {
  const base = groupSamples(baseline, kind);
  const win = groupSamples(window, kind);
  const out: KeyShift[] = [];
  for (const [k, w] of win) {
    const b = base.get(k);
    if (!b || b.values.length < o.minBaselineSamples) continue;
    if (w.values.length < o.minWindowSamples && !(Math.min(...w.values) >= o.strongFactor * Math.max(...b.values))) continue;
    const bs = robustStats(b.values);
    const wMedian = medianOf(sortedCopy(w.values));
    // A floor on σ: a perfectly steady baseline (σ = 0) must not make a 0.1 ms wobble infinite.
    const sigma = Math.max(bs.sigma, 0.05 * bs.median, 0.1);
    const shift = wMedian - bs.median;
    let added = 0;
    for (const v of w.values) added += Math.max(0, v - bs.median);
    const sortedBase = sortedCopy(b.values);
    const p99 = sortedBase[Math.min(sortedBase.length - 1, Math.ceil(0.99 * sortedBase.length) - 1)]!;
    const tailBound = Math.max(p99 * o.tailFactor, p99 + o.minShiftMs);
    let beyond = 0;
    for (const v of w.values) if (v > tailBound) beyond++;
    const entry: KeyShift = {
      key: w.sample.key,
      service: w.sample.service,
      kind,
      baselineMedianMs: bs.median,
      windowMedianMs: wMedian,
      z: shift / sigma,
      addedMs: added,
      windowSamples: w.values.length,
      tailShare: beyond >= o.minWindowSamples ? beyond / w.values.length : 0,
    };
    if (w.sample.caller !== undefined) entry.caller = w.sample.caller;
    out.push(entry);
  }
  return out;
}

function isShifted(s: KeyShift, o: Resolved): boolean {
  const shift = s.windowMedianMs - s.baselineMedianMs;
  return (s.z >= o.minZ && shift >= o.minShiftMs && shift >= o.minRelativeShift * s.baselineMedianMs) || s.tailShare >= o.minTailShare;
}

export interface ServiceShift {
  service: string;
  /** Added time charged to this service per window request, ms. */
  addedMsPerRequest: number;
  /** The key that added most here. */
  topKey: string;
  topZ: number;
  /** The shift of that key. */
  top: KeyShift;
  /** Slower than normal, but short of a shift (z ≥ 1 only): a lead to check after the real shifts. */
  weak?: boolean;
  /** Shifted hops charged here that were measured on the caller's side of a call. */
  viaCaller?: string;
}

/**
 * Where the window's extra time went, per service, best first. `requests`
 * normalises the added time to a per-request figure.
 */
export function latencyShifts(
  baseline: { self: readonly LatencySample[]; hops: readonly LatencySample[] },
  window: { self: readonly LatencySample[]; hops: readonly LatencySample[] },
  requests: number,
  options: LatencyShiftOptions = {},
): ServiceShift[] {
  const o = resolve(options);
  const selfShifts = shiftsOf(baseline.self, window.self, 'self', o);
  const hopShifts = shiftsOf(baseline.hops, window.hops, 'hop', o);

  // Per service: how many hops touch it, and the effects (ms added per call) of those that shifted.
  const touching = new Map<string, { all: number; shiftsMs: number[] }>();
  const touch = (service: string, shiftMs: number | null) => {
    const t = touching.get(service) ?? { all: 0, shiftsMs: [] };
    t.all++;
    if (shiftMs !== null) t.shiftsMs.push(shiftMs);
    touching.set(service, t);
  };
  // Mean time added per call: counts a slow tail as well as a moved median.
  const effectMs = (s: KeyShift) => s.addedMs / Math.max(1, s.windowSamples);
  const shiftedHop = hopShifts.map((h) => isShifted(h, o));
  hopShifts.forEach((h, k) => {
    const shiftMs = shiftedHop[k] ? effectMs(h) : null;
    touch(h.service, shiftMs);
    if (h.caller !== undefined && h.caller !== h.service) touch(h.caller, shiftMs);
  });
  // Starved or delayed processes also slow their own work: self shifts count as touching evidence.
  const selfShiftMs = new Map<string, number>();
  selfShifts.forEach((s) => {
    if (isShifted(s, o)) selfShiftMs.set(s.service, Math.max(selfShiftMs.get(s.service) ?? 0, effectMs(s)));
  });

  const perService = new Map<string, { added: number; top: KeyShift; topAdded: number; viaCaller?: string }>();
  const charge = (service: string, shift: KeyShift, viaCaller?: string) => {
    let e = perService.get(service);
    if (!e) perService.set(service, (e = { added: 0, top: shift, topAdded: -1 }));
    e.added += shift.addedMs;
    if (shift.addedMs > e.topAdded) {
      e.topAdded = shift.addedMs;
      e.top = shift;
      if (viaCaller !== undefined) e.viaCaller = viaCaller;
      else delete e.viaCaller;
    }
  };
  for (const s of selfShifts) if (isShifted(s, o)) charge(s.service, s);
  hopShifts.forEach((h, k) => {
    if (!shiftedHop[k]) return;
    const callee = h.service;
    const caller = h.caller;
    if (caller === undefined || caller === callee) return charge(callee, h);
    // Share of the *other* hops of each end that shifted comparably (this hop excluded).
    const thisShiftMs = effectMs(h);
    const comparable = (ms: number) => ms >= o.comparableShiftFraction * thisShiftMs;
    const share = (service: string) => {
      const t = touching.get(service)!;
      const others = t.all - 1;
      const self = selfShiftMs.get(service);
      const bonus = self !== undefined && comparable(self) ? 1 : 0;
      const alike = t.shiftsMs.filter(comparable).length - 1;
      return others + bonus > 0 ? (Math.max(0, alike) + bonus) / (others + bonus) : 0;
    };
    const callerShare = share(caller);
    const calleeShare = share(callee);
    if (callerShare > calleeShare) charge(caller, h, caller);
    else charge(callee, h);
  });

  const n = Math.max(1, requests);
  const out: ServiceShift[] = [];
  for (const [service, e] of perService) {
    const entry: ServiceShift = { service, addedMsPerRequest: e.added / n, topKey: e.top.key, topZ: e.top.z, top: e.top };
    if (e.viaCaller !== undefined) entry.viaCaller = e.viaCaller;
    out.push(entry);
  }
  out.sort((a, b) => b.addedMsPerRequest - a.addedMsPerRequest || (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  // Services that only slowed a little come after every real shift, most deviant first.
  const weak = new Map<string, KeyShift>();
  for (const k of [...selfShifts, ...hopShifts]) {
    if (perService.has(k.service) || !(k.z >= WEAK_Z_MIN) || !(k.windowMedianMs > k.baselineMedianMs)) continue;
    const known = weak.get(k.service);
    if (!known || k.z > known.z) weak.set(k.service, k);
  }
  const leads = [...weak.values()].sort((a, b) => b.z - a.z || (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  for (const k of leads) out.push({ service: k.service, addedMsPerRequest: 0, topKey: k.key, topZ: k.z, top: k, weak: true });
  return out;
}

/** Robust z from which a slower key is still worth naming as a lead. */
const WEAK_Z_MIN = 1;
