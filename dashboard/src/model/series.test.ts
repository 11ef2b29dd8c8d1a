import { describe, expect, it } from 'vitest';
import type { ServiceSummary } from '../api/types.js';
import { bucketCount, buildSeries } from './series.js';

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

describe.each([
  [{ fromMs: 0, toMs: 5 * 60_000 }, 5],
  [{ fromMs: 0, toMs: 60 * 60_000 }, 30],
  [{ fromMs: 0, toMs: 30_000 }, 1],
])('bucketCount(%j)', (w, n) => it(`is ${n}`, () => expect(bucketCount(w)).toBe(n)));
