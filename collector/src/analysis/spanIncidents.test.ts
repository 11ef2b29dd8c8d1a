import { describe, expect, it } from 'vitest';
import { deepFreeze, makeSpan } from './fixtures/span.js';
import { detectSpanIncidents } from './spanIncidents.js';
import type { SpanRecord } from '../model.js';

const T = 1_700_000_000_000;

/** A seeded PRNG so the noise is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** One request a `stepMs`, durations around `msAt(t)` with ±30 % noise, failing where `failsAt(t)`. */
function traffic(seconds: number, msAt: (t: number) => number, failsAt: (t: number) => boolean = () => false, stepMs = 250): SpanRecord[] {
  const r = rng(7);
  const out: SpanRecord[] = [];
  for (let t = 0; t < seconds * 1000; t += stepMs) {
    const fails = failsAt(t);
    out.push(makeSpan({ service: 'shop', name: 'GET /', startMs: T + t, durationMs: msAt(t) * (0.7 + 0.6 * r()), status: fails ? 'error' : 'unset' }));
  }
  return out;
}

const now = T + 10 * 60_000;

describe('detectSpanIncidents', () => {
  it('opens nothing on steady noisy traffic, nor on warm-up slowness before any normal', () => {
    const spans = deepFreeze(traffic(180, (t) => (t < 15_000 ? 400 : 20)));
    expect(detectSpanIncidents(spans, { fromMs: T, nowMs: now })).toEqual([]);
  });

  it('opens one incident within seconds of a latency shift after 20 s of normal traffic', () => {
    const spans = traffic(90, (t) => (t < 20_000 ? 20 : 60));
    const incidents = detectSpanIncidents(spans, { fromMs: T, nowMs: T + 90_000 });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.startMs).toBeGreaterThanOrEqual(T + 20_000);
    expect(incidents[0]!.startMs).toBeLessThan(T + 30_000);
    expect(incidents[0]!.ongoing).toBe(true);
    expect(incidents[0]!.signals[0]).toMatch(/median/);
  });

  it('opens on an error-rate shift and keeps two faults separated by a recovery apart', () => {
    const bad = (t: number) => (t >= 30_000 && t < 60_000) || (t >= 150_000 && t < 180_000);
    const incidents = detectSpanIncidents(traffic(240, () => 20, bad), { fromMs: T, nowMs: now });
    expect(incidents).toHaveLength(2);
    expect(incidents[0]!.endMs).toBeLessThan(T + 150_000);
    expect(incidents.every((i) => !i.ongoing)).toBe(true);
  });

  it('is not ongoing when the data stopped long before now', () => {
    const spans = traffic(90, (t) => (t < 20_000 ? 20 : 60));
    const incidents = detectSpanIncidents(spans, { fromMs: T, nowMs: T + 60 * 60_000 });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.ongoing).toBe(false);
  });

  it('does not call a failure that was always there an incident', () => {
    const spans = traffic(180, () => 20, (t) => Math.floor(t / 250) % 2 === 0);
    const incidents = detectSpanIncidents(spans, { fromMs: T, nowMs: now });
    // The first judged groups have no baseline and may read as an incident; none opens once normal is known.
    expect(incidents.every((i) => i.startMs < T + 30_000)).toBe(true);
  });

  it('opens on the last few calls of a rare operation only when every one is far slower than anything normal', () => {
    const rare = (ms: (k: number) => number, n: number) =>
      Array.from({ length: n }, (_, k) => makeSpan({ service: 'mailer', name: 'send', startMs: T + k * 8000, durationMs: ms(k) }));
    const slowTail = rare((k) => (k < 10 ? 5 + (k % 3) : 40), 14);
    const incidents = detectSpanIncidents(slowTail, { fromMs: T, nowMs: T + 120_000 });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.startMs).toBe(T + 10 * 8000);
    expect(incidents[0]!.signals[0]).toMatch(/all of the last 4 requests/);
    // Three slow and one ordinary among the last four: not overwhelming.
    expect(detectSpanIncidents(rare((k) => (k < 10 || k === 12 ? 5 + (k % 3) : 40), 14), { fromMs: T, nowMs: T + 120_000 })).toEqual([]);
  });
});
