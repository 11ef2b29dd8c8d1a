import { describe, expect, it } from 'vitest';
import { deepFreeze } from './fixtures/span.js';
import { observe } from './histogram.js';
import { detectIncidents, mergeServiceWindows, type ServiceSeries } from './incidents.js';
import { BUCKET_MS, emptyStats, type Stats } from './stats.js';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % BUCKET_MS);

function minute(requests: number, errors: number, latencyMs = 20): Stats {
  const s = emptyStats();
  s.requests = requests;
  s.errors = errors;
  observe(s.histogram, latencyMs, requests);
  return s;
}

/** One point per minute from T0; each entry is [requests, errors, latencyMs?]. */
type Minute = [number, number, number?];

function series(service: string, minutes: Minute[]): ServiceSeries {
  return { service, points: minutes.map(([r, e, ms], i) => ({ startMs: T0 + i * BUCKET_MS, stats: minute(r, e, ms) })) };
}

const healthy = (n: number, requests = 100, errors = 1, ms = 20): Minute[] =>
  Array.from({ length: n }, () => [requests, errors, ms]);

describe('detectIncidents', () => {
  it('opens when the error rate rises clearly above the baseline and closes once it recovers', () => {
    const incidents = detectIncidents([series('shop', [...healthy(20), [100, 40], [100, 60], [100, 35], ...healthy(10)])]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ startMs: T0 + 20 * BUCKET_MS, endMs: T0 + 23 * BUCKET_MS, affected: ['shop'], ongoing: false });
    expect(incidents[0]!.signals[0]).toMatch(/error rate 40\.0% \(baseline 1\.0%\)/);
  });

  it('opens on a p95 rise with no errors at all', () => {
    const incidents = detectIncidents([series('shop', [...healthy(20, 100, 0, 20), [100, 0, 900], [100, 0, 1200], ...healthy(5, 100, 0, 20)])]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.signals[0]).toMatch(/p95 \d+ ms \(baseline \d+ ms\)/);
  });

  it('stays closed for noise around a chronically high error rate once that is its baseline', () => {
    const noisy: Minute[] = Array.from({ length: 40 }, (_, i) => [100, i % 2 ? 18 : 24]);
    // The absolute threshold only judges the very first minute; from then on the learned 20% is normal.
    expect(detectIncidents([series('flaky', noisy)], { absoluteErrorRate: 0.3 })).toEqual([]);
    expect(detectIncidents([series('flaky', [...noisy, [100, 60]])], { absoluteErrorRate: 0.3 })).toHaveLength(1);
  });

  it('needs a minimum number of requests and errors: two failed requests in a quiet minute are not an incident', () => {
    expect(detectIncidents([series('tiny', [...healthy(20, 3, 0), [2, 2], [3, 0]])])).toEqual([]);
  });

  it('uses absolute thresholds when there is no baseline yet', () => {
    const incidents = detectIncidents([series('new', [[20, 10]])]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.ongoing).toBe(true);
    expect(incidents[0]!.signals[0]).toMatch(/no baseline/);
    expect(detectIncidents([series('new', [[20, 1]])])).toEqual([]);
    expect(detectIncidents([series('new-slow', [[20, 0, 3000]])], { absoluteP95Ms: 1000 })).toHaveLength(1);
  });

  it('does not call warm-up slowness an incident: latency needs a baseline unless an absolute bound is set', () => {
    expect(detectIncidents([series('new-slow', [[20, 0, 3000]])])).toEqual([]);
  });

  it('keeps one incident through flapping instead of opening a new one per bad minute', () => {
    const flapping: Minute[] = [...healthy(20), [100, 50], [100, 1], [100, 50], [100, 1], [100, 50], ...healthy(6)];
    const incidents = detectIncidents([series('shop', flapping)]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ startMs: T0 + 20 * BUCKET_MS, endMs: T0 + 25 * BUCKET_MS });
  });

  it('opens two incidents for two faults separated by a real recovery', () => {
    const two: Minute[] = [...healthy(20), [100, 50], ...healthy(10), [100, 50], ...healthy(5)];
    expect(detectIncidents([series('shop', two)])).toHaveLength(2);
  });

  it('learns a failure rate that was there from the first minute: it opens only for want of a baseline, and a later fault is an incident of its own', () => {
    const chronic: Minute[] = Array.from({ length: 10 }, (): Minute => [100, 25]);
    const incidents = detectIncidents([series('mail', [...chronic, [100, 80], [100, 80], ...chronic])]);
    expect(incidents).toHaveLength(2);
    expect(incidents[0]).toMatchObject({ startMs: T0, endMs: T0 + BUCKET_MS, ongoing: false });
    expect(incidents[0]!.signals[0]).toMatch(/no baseline/);
    expect(incidents[1]).toMatchObject({ startMs: T0 + 10 * BUCKET_MS, endMs: T0 + 12 * BUCKET_MS, ongoing: false });
    expect(incidents[1]!.signals[0]).toMatch(/baseline 25\.0%/);
  });

  it('does not learn an incident into the baseline: a long outage stays one incident', () => {
    const outage: Minute[] = [...healthy(10), ...Array.from({ length: 60 }, (): Minute => [100, 50])];
    const incidents = detectIncidents([series('shop', outage)]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.ongoing).toBe(true);
    expect(incidents[0]!.endMs).toBe(T0 + 70 * BUCKET_MS);
  });

  it('merges overlapping windows of several entry services into one incident with every affected service', () => {
    const incidents = detectIncidents([
      series('web', [...healthy(20), [100, 50], [100, 50], ...healthy(5)]),
      series('mobile-api', [...healthy(21), [100, 70], ...healthy(5)]),
      series('partner', healthy(27)),
    ]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.affected).toEqual(['mobile-api', 'web']);
  });

  it('closes after a long silence and treats missing minutes as no traffic', () => {
    const s = series('shop', [...healthy(20), [100, 60]]);
    const later = { startMs: T0 + 40 * BUCKET_MS, stats: minute(100, 1) };
    const incidents = detectIncidents([{ service: 'shop', points: [...s.points, later] }]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.ongoing).toBe(false);
  });

  it('handles a month-long gap between points: the incident before it closes, the one after it opens', () => {
    const before = series('shop', [...healthy(20), [100, 60]]).points;
    const monthMs = 31 * 24 * 60 * BUCKET_MS;
    const after = series('shop', [...healthy(20), [100, 60]]).points.map((p) => ({ ...p, startMs: p.startMs + monthMs }));
    const incidents = detectIncidents([{ service: 'shop', points: [...before, ...after] }]);
    expect(incidents).toHaveLength(2);
    expect(incidents[0]!.ongoing).toBe(false);
    expect(incidents[1]!.startMs).toBe(T0 + monthMs + 20 * BUCKET_MS);
  });

  it('accepts points in any order and several points in one bucket', () => {
    const s = series('shop', [...healthy(20), [100, 60], ...healthy(5)]);
    const split = s.points.flatMap((p) => [p, { startMs: p.startMs + 1000, stats: minute(0, 0) }]);
    const shuffled = [...split].reverse();
    expect(detectIncidents([{ service: 'shop', points: shuffled }])).toEqual(detectIncidents([s]));
  });

  it('rejects invalid options with a RangeError', () => {
    expect(() => detectIncidents([], { minRequests: -1 })).toThrow(RangeError);
    expect(() => detectIncidents([], { bucketMs: 0 })).toThrow(RangeError);
  });

  it('does not mutate its input', () => {
    const input = [series('shop', [...healthy(20), [100, 60], ...healthy(5)])];
    const before = structuredClone(input);
    deepFreeze(input);
    detectIncidents(input);
    expect(input).toEqual(before);
  });
});

describe('mergeServiceWindows', () => {
  const w = (service: string, startMs: number, endMs: number, noBaseline = false) => ({ service, startMs, endMs, ongoing: false, signal: `${service} bad`, ...(noBaseline ? { noBaseline } : {}) });

  it('leaves a no-baseline window out of the shift it overlaps, and keeps one that overlaps none', () => {
    const incidents = mergeServiceWindows([w('mail', 0, 60_000, true), w('ledger', 20_000, 45_000), w('orders', 30_000, 50_000), w('auth', 100_000, 160_000, true)]);
    expect(incidents.map((i) => [i.startMs, i.endMs, i.affected])).toEqual([
      [20_000, 50_000, ['ledger', 'orders']],
      [100_000, 160_000, ['auth']],
    ]);
  });
});

