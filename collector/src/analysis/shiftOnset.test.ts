import { describe, expect, it } from 'vitest';
import { deepFreeze, makeSpan } from './fixtures/span.js';
import { onsetIncident, shiftOnset } from './shiftOnset.js';
import type { SpanRecord } from '../model.js';

const T = 1_700_000_000_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

let ids = 0;
const id = (n: number) => (++ids).toString(16).padStart(n, '0');

/**
 * gRPC-shaped traces, one every `stepMs`: web (server) → web client → cart (server). The
 * client's wait beyond cart's own span is `gapAt(t)` ms, cart's own work `workAt(t)` ms, each
 * with ±30 % noise.
 */
function traffic(seconds: number, gapAt: (t: number) => number, workAt: (t: number) => number = () => 2, stepMs = 200): SpanRecord[] {
  const r = rng(11);
  const out: SpanRecord[] = [];
  for (let t = 0; t < seconds * 1000; t += stepMs) {
    const traceId = id(32);
    const work = workAt(t) * (0.7 + 0.6 * r());
    const gap = gapAt(t) * (0.7 + 0.6 * r());
    const root = makeSpan({ traceId, spanId: id(16), service: 'web', name: '/hipster.Web/Home', startMs: T + t, durationMs: work + gap + 1 });
    const client = makeSpan({ traceId, spanId: id(16), parentSpanId: root.spanId, service: 'web', kind: 'client', name: 'hipster.Cart/GetCart', startMs: T + t + 0.5, durationMs: work + gap });
    const server = makeSpan({ traceId, spanId: id(16), parentSpanId: client.spanId, service: 'cart', name: 'grpc.hipster.Cart/GetCart', startMs: T + t + 0.5 + gap / 2, durationMs: work });
    out.push(root, client, server);
  }
  return out;
}

describe('shiftOnset', () => {
  it('finds the moment one hop stepped up and stayed up, within a few seconds', () => {
    const spans = deepFreeze(traffic(60, (t) => (t < 30_000 ? 3 : 6)));
    const onset = shiftOnset(spans, T);
    expect(onset).not.toBeNull();
    expect(onset!.service).toBe('web');
    expect(onset!.what).toBe('hipster.Cart/GetCart → cart');
    expect(onset!.startMs).toBeGreaterThanOrEqual(T + 27_000);
    expect(onset!.startMs).toBeLessThanOrEqual(T + 33_000);
    const incident = onsetIncident(onset!, true);
    expect(incident).toMatchObject({ startMs: onset!.startMs, affected: ['web'], ongoing: true });
    expect(incident.signals[0]).toMatch(/stepped up/);
  });

  it('finds a step in one service\'s own work', () => {
    const onset = shiftOnset(traffic(60, () => 3, (t) => (t < 40_000 ? 2 : 5)), T);
    expect(onset).toMatchObject({ service: 'cart', what: 'grpc.hipster.Cart/GetCart' });
  });

  it('finds nothing in steady noise, in warm-up slowness, in a short burst, or in a rise too small to matter', () => {
    expect(shiftOnset(traffic(90, () => 3), T)).toBeNull();
    expect(shiftOnset(traffic(90, (t) => (t < 20_000 ? 40 : 3)), T)).toBeNull();
    expect(shiftOnset(traffic(90, (t) => (t >= 40_000 && t < 44_000 ? 30 : 3)), T)).toBeNull();
    expect(shiftOnset(traffic(90, (t) => (t < 45_000 ? 3 : 3.4)), T)).toBeNull();
  });

  it('takes a rare call whose few samples since the fault are all far slower than anything before', () => {
    // One call every 5 s: 30 s of normal, then 2 calls at 100× the wait.
    const spans = traffic(40, (t) => (t < 30_000 ? 5 : 500), () => 1, 5_000);
    expect(shiftOnset(spans, T, { strongChance: 0.05 })).toMatchObject({ service: 'web', startMs: T + 30_000.5 });
    // Two calls of eight are too few against a stricter bar on luck.
    expect(shiftOnset(spans, T, { strongChance: 0.01 })).toBeNull();
  });

  it('ignores onsets before fromMs and rejects bad options', () => {
    expect(shiftOnset(traffic(60, (t) => (t < 30_000 ? 3 : 6)), T + 50_000)).toBeNull();
    expect(() => shiftOnset([], T, { minZ: -1 })).toThrow(RangeError);
  });
});
