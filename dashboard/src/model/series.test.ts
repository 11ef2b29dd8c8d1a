import { describe, expect, it } from 'vitest';
import type { ServiceSummary } from '../api/types.js';
import { alignedBuckets, buildSeries, coveredWindowMs } from './series.js';

const s = (name: string, requests: number, errors: number): ServiceSummary => ({ name, requests, errors, errorRate: requests ? errors / requests : 0, p50Ms: 5, p95Ms: 20, p99Ms: 40 });

describe('buildSeries', () => {
  const buckets = [
    { window: { fromMs: 60_000, toMs: 120_000 }, services: [s('orders', 120, 60)] },
    { window: { fromMs: 0, toMs: 60_000 }, services: [s('orders', 60, 0), s('gateway', 10, 0)] },
    { window: { fromMs: 120_000, toMs: 180_000 }, services: [s('gateway', 10, 0)] },
  ];
  it('turns per-bucket totals into sorted per-second rates, gaps as no data', () => {
    const snapshot = structuredClone(buckets);
    expect(buildSeries(buckets, 'orders')).toEqual([
      { timeMs: 0, requestsPerSec: 1, errorsPerSec: 0, errorPct: 0, p50Ms: 5, p95Ms: 20, p99Ms: 40 },
      { timeMs: 60_000, requestsPerSec: 2, errorsPerSec: 1, errorPct: 50, p50Ms: 5, p95Ms: 20, p99Ms: 40 },
      { timeMs: 120_000, requestsPerSec: 0, errorsPerSec: 0, errorPct: 0, p50Ms: null, p95Ms: null, p99Ms: null },
    ]);
    expect(buckets).toEqual(snapshot);
  });
  it('is empty for no buckets', () => expect(buildSeries([], 'x')).toEqual([]));
});

it('uses the covered span for rates when given', () => {
  expect(buildSeries([{ window: { fromMs: 0, toMs: 59_999 }, spanMs: 30_000, services: [s('a', 30, 3)] }], 'a')[0]!.requestsPerSec).toBe(1);
});

const M = 60_000;
describe.each<[string, { fromMs: number; toMs: number }, number, number, [number, number, number][]]>([
  ['5 minutes, aligned', { fromMs: 10 * M, toMs: 15 * M }, 30, 15 * M, [[10 * M, 11 * M - 1, M], [11 * M, 12 * M - 1, M], [12 * M, 13 * M - 1, M], [13 * M, 14 * M - 1, M], [14 * M, 15 * M - 1, M]]],
  ['unaligned with a partial last minute', { fromMs: 10 * M + 30_000, toMs: 12 * M + 15_000 }, 30, 12 * M + 15_000, [[10 * M, 11 * M - 1, M], [11 * M, 12 * M - 1, M], [12 * M, 12 * M + 15_000, 15_000]]],
  ['an hour in at most 30 buckets of 2 minutes', { fromMs: 0, toMs: 60 * M }, 30, 60 * M, Array.from({ length: 30 }, (_, i) => [i * 2 * M, (i + 1) * 2 * M - 1, 2 * M] as [number, number, number])],
  ['a past window ends at its end, not now', { fromMs: 0, toMs: 2 * M }, 30, 100 * M, [[0, M - 1, M], [M, 2 * M - 1, M]]],
])('alignedBuckets: %s', (_name, window, max, nowMs, expected) => {
  it('covers whole collector minutes, none twice', () => {
    const copy = { ...window };
    expect(alignedBuckets(window, max, nowMs).map((b) => [b.window.fromMs, b.window.toMs, b.spanMs])).toEqual(expected);
    expect(window).toEqual(copy);
  });
});

describe.each([
  [{ fromMs: 10 * M + 30_000, toMs: 15 * M }, 5 * M],
  [{ fromMs: 10 * M, toMs: 15 * M }, 5 * M],
  [{ fromMs: 5, toMs: 5 }, 5],
])('coveredWindowMs(%j)', (w, ms) => it(`is ${ms}`, () => expect(coveredWindowMs(w)).toBe(ms)));
