// Incident detection over per-minute aggregates of entry-point services: a
// service's error rate or p95 rising clearly above its own recent baseline.
import { emptyHistogram, mergeHistogram, quantileMs, type Histogram } from './histogram.js';
import { BUCKET_MS, type Stats } from './stats.js';
import { requireNonNegative } from './options.js';

export interface ServiceSeries {
  service: string;
  /** One point per bucket; any order, gaps allowed. */
  points: readonly { startMs: number; stats: Stats }[];
}

export interface IncidentOptions {
  /** Bucket width of the points. Default BUCKET_MS. */
  bucketMs?: number;
  /** Buckets with fewer requests neither open nor confirm recovery. Default 5. */
  minRequests?: number;
  /** Fewest errors in a bucket to call its error rate raised. Default 3. */
  minErrors?: number;
  /** Healthy buckets before the current one that form the baseline. Default 30. */
  baselineBuckets?: number;
  /** Fewest requests in the baseline to trust it; below, absolute thresholds apply. Default 30. */
  minBaselineRequests?: number;
  /** Error rate that is raised when there is no usable baseline. Default 0.1. */
  absoluteErrorRate?: number;
  /** p95 that is raised when there is no usable baseline; 0 never raises latency without a baseline. Default 0. */
  absoluteP95Ms?: number;
  /** Error rate must exceed baseline + this … Default 0.05. */
  errorRateDelta?: number;
  /** … and baseline × this. Default 2. */
  errorRateFactor?: number;
  /** p95 must exceed baseline p95 × this … Default 2. */
  p95Factor?: number;
  /** … and baseline p95 + this. Default 50 ms. */
  p95DeltaMs?: number;
  /** Consecutive healthy buckets (with traffic) that close an incident; bridges flapping. Default 3. */
  closeAfterBuckets?: number;
  /** Consecutive buckets without enough traffic that close an incident anyway. Default 10. */
  closeAfterQuietBuckets?: number;
}

type ResolvedIncidentOptions = Required<IncidentOptions>;

function resolveIncidentOptions(options: IncidentOptions = {}): ResolvedIncidentOptions {
  const r: ResolvedIncidentOptions = {
    bucketMs: options.bucketMs ?? BUCKET_MS,
    minRequests: options.minRequests ?? 5,
    minErrors: options.minErrors ?? 3,
    baselineBuckets: options.baselineBuckets ?? 30,
    minBaselineRequests: options.minBaselineRequests ?? 30,
    absoluteErrorRate: options.absoluteErrorRate ?? 0.1,
    absoluteP95Ms: options.absoluteP95Ms ?? 0,
    errorRateDelta: options.errorRateDelta ?? 0.05,
    errorRateFactor: options.errorRateFactor ?? 2,
    p95Factor: options.p95Factor ?? 2,
    p95DeltaMs: options.p95DeltaMs ?? 50,
    closeAfterBuckets: options.closeAfterBuckets ?? 3,
    closeAfterQuietBuckets: options.closeAfterQuietBuckets ?? 10,
  };
  requireNonNegative('detectIncidents', r);
  if (r.bucketMs <= 0) throw new RangeError('detectIncidents: bucketMs must be > 0');
  r.closeAfterBuckets = Math.max(1, Math.floor(r.closeAfterBuckets));
  r.closeAfterQuietBuckets = Math.max(1, Math.floor(r.closeAfterQuietBuckets));
  r.baselineBuckets = Math.max(1, Math.floor(r.baselineBuckets));
  return r;
}

export interface IncidentWindow {
  startMs: number;
  /** End of the last unhealthy bucket. */
  endMs: number;
  /** Entry-point services whose health broke, sorted. */
  affected: string[];
  /** Still unhealthy at the end of the series. */
  ongoing: boolean;
  /** One line per affected service: what rose, and from what baseline. */
  signals: string[];
}

interface Bucket {
  startMs: number;
  requests: number;
  errors: number;
  histogram: Histogram;
}

const NO_LATENCIES: Histogram = Object.freeze(emptyHistogram()) as Histogram;

function bucketsOf(series: ServiceSeries, bucketMs: number, maxGapBuckets: number): Bucket[] {
  const byStart = new Map<number, Bucket>();
  for (const { startMs, stats } of series.points) {
    if (!Number.isFinite(startMs)) continue;
    const start = Math.floor(startMs / bucketMs) * bucketMs;
    let b = byStart.get(start);
    if (!b) byStart.set(start, (b = { startMs: start, requests: 0, errors: 0, histogram: emptyHistogram() }));
    b.requests += Math.max(0, stats.requests || 0);
    b.errors += Math.max(0, stats.errors || 0);
    mergeHistogram(b.histogram, stats.histogram);
  }
  const sorted = [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
  if (sorted.length === 0) return [];
  // Fill gaps so that "consecutive" means consecutive in time. Gap buckets share one
  // empty histogram (only ever read), and a gap longer than the quiet-close run plus
  // the baseline changes nothing further, so it is not filled beyond that.
  const filled: Bucket[] = [];
  for (const b of sorted) {
    const prev = filled[filled.length - 1];
    if (prev) {
      let added = 0;
      for (let t = prev.startMs + bucketMs; t < b.startMs && added < maxGapBuckets; t += bucketMs, added++) {
        filled.push({ startMs: t, requests: 0, errors: 0, histogram: NO_LATENCIES });
      }
    }
    filled.push(b);
  }
  return filled;
}

interface Baseline {
  requests: number;
  errors: number;
  histogram: Histogram;
}

type Verdict = { kind: 'quiet' } | { kind: 'healthy' } | { kind: 'raised'; signal: string; absolute?: boolean };

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function judge(bucket: Bucket, baseline: Baseline, o: ResolvedIncidentOptions): Verdict {
  if (bucket.requests < o.minRequests) return { kind: 'quiet' };
  const errorRate = bucket.errors / bucket.requests;
  const p95 = quantileMs(bucket.histogram, 0.95);
  const trusted = baseline.requests >= o.minBaselineRequests;
  const baseRate = trusted ? baseline.errors / baseline.requests : 0;
  const baseP95 = trusted ? quantileMs(baseline.histogram, 0.95) : 0;

  const rateLimit = trusted
    ? Math.min(Math.max(baseRate + o.errorRateDelta, baseRate * o.errorRateFactor), baseRate + (1 - baseRate) / 2)
    : o.absoluteErrorRate;
  if (bucket.errors >= o.minErrors && errorRate > rateLimit) {
    const from = trusted ? `baseline ${pct(baseRate)}` : `no baseline, threshold ${pct(rateLimit)}`;
    return { kind: 'raised', signal: `error rate ${pct(errorRate)} (${from})`, absolute: !trusted };
  }
  // Without a baseline, slowness is not judged: warm-up (cold caches, JIT, first connections) is slow and is not an incident.
  const p95Limit = trusted ? Math.max(baseP95 * o.p95Factor, baseP95 + o.p95DeltaMs) : o.absoluteP95Ms;
  if (p95 > p95Limit && (trusted || o.absoluteP95Ms > 0)) {
    const from = trusted ? `baseline ${Math.round(baseP95)} ms` : `no baseline, threshold ${Math.round(p95Limit)} ms`;
    return { kind: 'raised', signal: `p95 ${Math.round(p95)} ms (${from})` };
  }
  return { kind: 'healthy' };
}

export interface ServiceWindow {
  service: string;
  startMs: number;
  endMs: number;
  ongoing: boolean;
  signal: string;
  /** Opened only on an absolute bound, for want of a baseline: how the data began, not a shift. */
  noBaseline?: boolean;
}

function windowsOf(series: ServiceSeries, o: ResolvedIncidentOptions): ServiceWindow[] {
  const buckets = bucketsOf(series, o.bucketMs, o.closeAfterQuietBuckets + o.baselineBuckets);
  const windows: ServiceWindow[] = [];
  // The baseline is the last healthy buckets only, so an incident never becomes its own baseline.
  const healthy: Bucket[] = [];
  const baseline: Baseline = { requests: 0, errors: 0, histogram: emptyHistogram() };
  const addHealthy = (b: Bucket) => {
    healthy.push(b);
    baseline.requests += b.requests;
    baseline.errors += b.errors;
    mergeHistogram(baseline.histogram, b.histogram);
    if (healthy.length > o.baselineBuckets) {
      const old = healthy.shift()!;
      baseline.requests -= old.requests;
      baseline.errors -= old.errors;
      for (let i = 0; i < old.histogram.length; i++) baseline.histogram[i]! -= old.histogram[i]!;
    }
  };

  let open: ServiceWindow | null = null;
  let healthyRun = 0;
  let quietRun = 0;
  for (const bucket of buckets) {
    const verdict = judge(bucket, baseline, o);
    if (verdict.kind === 'raised') {
      healthyRun = 0;
      quietRun = 0;
      // A shift against the baseline just learnt is a window of its own, not the tail of the no-baseline one.
      if (open?.noBaseline && !verdict.absolute) {
        open.ongoing = false;
        open = null;
      }
      if (!open) {
        open = { service: series.service, startMs: bucket.startMs, endMs: bucket.startMs + o.bucketMs, ongoing: true, signal: verdict.signal };
        if (verdict.absolute) open.noBaseline = true;
        windows.push(open);
      } else {
        open.endMs = bucket.startMs + o.bucketMs;
      }
      // Raised only for want of a baseline: this is how the data began, so it is the normal that later minutes are judged against
      // (a dependency that fails as often before a fault as during it is no part of that fault).
      if (verdict.absolute) addHealthy(bucket);
      continue;
    }
    if (verdict.kind === 'healthy') {
      quietRun = 0;
      if (open) {
        healthyRun++;
        if (healthyRun >= o.closeAfterBuckets) {
          open.ongoing = false;
          open = null;
        }
      }
      // Healthy buckets inside a still-open incident stay out of the baseline: they may be flapping.
      if (!open) addHealthy(bucket);
      continue;
    }
    if (open) {
      quietRun++;
      if (quietRun >= o.closeAfterQuietBuckets) {
        open.ongoing = false;
        open = null;
      }
    }
  }
  return windows;
}

/**
 * Incidents across entry-point services: each service is judged against its
 * own baseline, then windows that overlap (or touch) merge into one incident.
 */
export function detectIncidents(series: readonly ServiceSeries[], options?: IncidentOptions): IncidentWindow[] {
  return mergeServiceWindows(entryWindows(series, options));
}

/** Each entry service's bad stretches, before merging (see mergeServiceWindows). */
export function entryWindows(series: readonly ServiceSeries[], options?: IncidentOptions): ServiceWindow[] {
  const o = resolveIncidentOptions(options);
  return series.flatMap((s) => windowsOf(s, o));
}

/**
 * Windows that overlap become one incident, except that a window opened only for want of a
 * baseline never joins one judged against a baseline: when both overlap, the shift is the
 * incident (it starts where the change did, and what was there before it is its baseline),
 * and the no-baseline window is left out. Alone, a no-baseline window is an incident.
 */
export function mergeServiceWindows(windows: readonly ServiceWindow[]): IncidentWindow[] {
  const judged = mergeIncidentWindows(windows.filter((w) => !w.noBaseline).map(incidentOf));
  const overlaps = (i: IncidentWindow) => judged.some((j) => j.startMs <= i.endMs && i.startMs <= j.endMs);
  const unjudged = mergeIncidentWindows(windows.filter((w) => w.noBaseline).map(incidentOf)).filter((i) => !overlaps(i));
  return [...judged, ...unjudged].sort((a, b) => a.startMs - b.startMs);
}

/** One service's bad stretch as an incident of its own, before merging. */
export function incidentOf(w: ServiceWindow): IncidentWindow {
  return { startMs: w.startMs, endMs: w.endMs, affected: [w.service], ongoing: w.ongoing, signals: [`${w.service}: ${w.signal}`] };
}

/** Windows that overlap (or touch) become one incident; the input is not mutated. */
export function mergeIncidentWindows(windows: readonly IncidentWindow[]): IncidentWindow[] {
  const sorted = [...windows].sort((a, b) => a.startMs - b.startMs);
  const out: IncidentWindow[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.startMs <= last.endMs) {
      last.endMs = Math.max(last.endMs, w.endMs);
      last.ongoing = last.ongoing || w.ongoing;
      for (const s of w.affected) if (!last.affected.includes(s)) last.affected.push(s);
      last.signals.push(...w.signals);
      continue;
    }
    out.push({ ...w, affected: [...w.affected], signals: [...w.signals] });
  }
  for (const incident of out) incident.affected.sort();
  return out;
}
