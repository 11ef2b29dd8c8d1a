import { describe, expect, it } from 'vitest';
import type { SeriesAnswer } from '../api/types.js';
import { chartPoints, coveredWindowMs, seriesStepMs } from './series.js';

const point = (startMs: number, requests: number, errors: number, p95Ms = 40) => ({ startMs, requests, errors, errorRate: requests ? errors / requests : 0, p50Ms: 10, p95Ms, p99Ms: 90, retries: 0, timeouts: 0, shortCircuits: 0 });

describe.each<[string, SeriesAnswer, [number, number, number, number | null][]]>([
  ['one-minute steps', { stepMs: 60_000, points: [point(60_000, 120, 0), point(0, 60, 30)] }, [[0, 1, 50, 40], [60_000, 2, 0, 40]]],
  ['five-minute steps', { stepMs: 300_000, points: [point(0, 600, 6, 12)] }, [[0, 2, 1, 12]]],
  ['an empty step has no latency', { stepMs: 60_000, points: [point(0, 0, 0)] }, [[0, 0, 0, null]]],
  ['no points', { stepMs: 60_000, points: [] }, []],
])('chartPoints: %s', (_name, answer, expected) => {
  it('sorts by time and turns per-step counts into per-second rates', () => {
    const snapshot = structuredClone(answer);
    expect(chartPoints(answer).map((p) => [p.timeMs, p.requestsPerSec, p.errorPct, p.p95Ms])).toEqual(expected);
    expect(answer).toEqual(snapshot);
  });
});

describe.each([
  [{ fromMs: 0, toMs: 15 * 60_000 }, 60, 60_000],
  [{ fromMs: 0, toMs: 6 * 3_600_000 }, 60, 360_000],
  [{ fromMs: 0, toMs: 24 * 3_600_000 }, 60, 1_440_000],
  [{ fromMs: 0, toMs: 10_000 }, 60, 60_000],
])('seriesStepMs(%j, %d)', (window, points, step) => it(`is ${step}`, () => expect(seriesStepMs(window, points)).toBe(step)));

it('coveredWindowMs counts the whole first minute', () => {
  expect(coveredWindowMs({ fromMs: 90_000, toMs: 180_000 })).toBe(120_000);
});
