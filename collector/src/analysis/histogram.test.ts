import { describe, expect, it } from 'vitest';
import {
  LATENCY_BOUNDS_MS,
  bucketIndex,
  emptyHistogram,
  histogramCount,
  mergeHistogram,
  observe,
  quantileMs,
} from './histogram.js';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function bucketWidth(ms: number): number {
  const i = bucketIndex(ms);
  const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
  const upper = LATENCY_BOUNDS_MS[Math.min(i, LATENCY_BOUNDS_MS.length - 1)]!;
  return upper - lower;
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

describe('latency histogram', () => {
  it('has strictly increasing bounds and one overflow slot', () => {
    for (let i = 1; i < LATENCY_BOUNDS_MS.length; i++) expect(LATENCY_BOUNDS_MS[i]!).toBeGreaterThan(LATENCY_BOUNDS_MS[i - 1]!);
    expect(emptyHistogram()).toHaveLength(LATENCY_BOUNDS_MS.length + 1);
  });

  it('puts a value equal to a bound in that bound’s bucket and larger values in the next', () => {
    expect(bucketIndex(10)).toBe(LATENCY_BOUNDS_MS.indexOf(10));
    expect(bucketIndex(10.0001)).toBe(LATENCY_BOUNDS_MS.indexOf(10) + 1);
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(1e9)).toBe(LATENCY_BOUNDS_MS.length);
  });

  it('counts negative and NaN durations in the first bucket instead of throwing', () => {
    const h = emptyHistogram();
    observe(h, -5);
    observe(h, Number.NaN);
    expect(h[0]).toBe(2);
  });

  describe.each([
    ['uniform 0–50 ms', (r: () => number) => r() * 50],
    ['log-normal around 20 ms', (r: () => number) => Math.exp(Math.log(20) + (r() + r() + r() - 1.5) * 1.5)],
    ['bimodal 5 ms / 2 s', (r: () => number) => (r() < 0.9 ? 4 + r() * 2 : 1800 + r() * 400)],
    ['heavy tail up to 60 s', (r: () => number) => Math.min(60_000, 1 / Math.max(1e-6, r()) ** 1.2)],
  ])('quantiles of %s', (_label, draw) => {
    it.each([0.5, 0.9, 0.95, 0.99])('p%s is within one bucket width of the exact value', (q) => {
      const random = seeded(42);
      const values = Array.from({ length: 5000 }, () => draw(random));
      const h = emptyHistogram();
      for (const v of values) observe(h, v);
      const exact = exactQuantile([...values].sort((a, b) => a - b), q);
      expect(Math.abs(quantileMs(h, q) - exact)).toBeLessThanOrEqual(bucketWidth(exact));
    });
  });

  it('returns 0 for an empty histogram and the last bound for overflow values', () => {
    expect(quantileMs(emptyHistogram(), 0.95)).toBe(0);
    const h = emptyHistogram();
    observe(h, 500_000);
    expect(quantileMs(h, 0.5)).toBe(LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]);
  });

  it('merges by addition: quantiles of merged halves equal those of the whole', () => {
    const random = seeded(7);
    const values = Array.from({ length: 2000 }, () => random() * 3000);
    const whole = emptyHistogram();
    const a = emptyHistogram();
    const b = emptyHistogram();
    values.forEach((v, i) => {
      observe(whole, v);
      observe(i % 2 ? a : b, v);
    });
    mergeHistogram(a, b);
    expect(a).toEqual(whole);
    expect(histogramCount(a)).toBe(2000);
    expect(quantileMs(a, 0.99)).toBe(quantileMs(whole, 0.99));
  });

  it('merges a shorter stored histogram and ignores garbage counts', () => {
    const into = emptyHistogram();
    mergeHistogram(into, [1, 2, Number.NaN, -4]);
    expect(histogramCount(into)).toBe(3);
  });

  it('clamps q outside 0..1', () => {
    const h = emptyHistogram();
    for (let i = 1; i <= 100; i++) observe(h, i);
    expect(quantileMs(h, 2)).toBe(quantileMs(h, 1));
    expect(quantileMs(h, -1)).toBe(quantileMs(h, 0));
  });
});
