import { describe, expect, it } from 'vitest';
import { deepFreeze, makeSpan } from './fixtures/span.js';
import { graftLinkedTraces, isBackgroundRoot } from './linkedWork.js';
import { rankRootCauses } from './rootCauses.js';
import type { SpanRecord } from '../model.js';

const T = 1_700_000_000_000;

/** gateway → orders (the request), and a saga step in its own trace linked to orders' span, calling a failing inventory. */
function request(k: number, inventoryFails: boolean): SpanRecord[] {
  const t = T + k * 1000;
  const traceId = `${k.toString(16).padStart(8, '0')}${'1'.repeat(24)}`;
  const stepTrace = `${k.toString(16).padStart(8, '0')}${'2'.repeat(24)}`;
  const id = (n: number) => `${k.toString(16).padStart(8, '0')}${n.toString(16).padStart(8, '0')}`;
  const status = inventoryFails ? 'error' : 'unset';
  return [
    makeSpan({ traceId, spanId: id(1), service: 'gateway', name: 'POST /orders', startMs: t, durationMs: 40, status, attributes: inventoryFails ? { 'http.response.status_code': 502 } : {} }),
    makeSpan({ traceId, spanId: id(2), parentSpanId: id(1), service: 'gateway', name: 'POST', kind: 'client', startMs: t + 1, durationMs: 38, status }),
    makeSpan({ traceId, spanId: id(3), parentSpanId: id(2), service: 'orders', name: 'POST /orders', startMs: t + 2, durationMs: 36, status }),
    makeSpan({ traceId: stepTrace, spanId: id(4), service: 'orders', name: 'saga reserve', kind: 'internal', startMs: t + 5, durationMs: 20, status, attributes: { 'faultline.background': true }, links: [{ traceId, spanId: id(3), attributes: {} }] }),
    makeSpan({ traceId: stepTrace, spanId: id(5), parentSpanId: id(4), service: 'orders', name: 'POST', kind: 'client', startMs: t + 6, durationMs: 18, status, statusMessage: inventoryFails ? 'fetch failed' : '', attributes: { 'peer.service': 'inventory' } }),
  ];
}

describe('graftLinkedTraces', () => {
  it('moves a linked root trace under the span it links to, without touching the input', () => {
    const spans = deepFreeze(request(1, false));
    const out = graftLinkedTraces(spans);
    const step = out.find((s) => s.name === 'saga reserve')!;
    expect(step.traceId).toBe(spans[0]!.traceId);
    expect(step.parentSpanId).toBe(spans[2]!.spanId);
    expect(out.find((s) => s.spanId === spans[4]!.spanId)!.traceId).toBe(spans[0]!.traceId);
  });

  it('leaves a linked trace alone when the span it links to is not in the input', () => {
    const spans = request(1, false).slice(3);
    expect(graftLinkedTraces(spans)).toEqual(spans);
    expect(isBackgroundRoot(spans[0]!)).toBe(true);
  });
});

describe('rankRootCauses across linked traces', () => {
  it('follows a failure from the entry request into the detached work it caused, to a callee that never answered', () => {
    const baseline = Array.from({ length: 30 }, (_, k) => request(k, false)).flat();
    const window = Array.from({ length: 30 }, (_, k) => request(100 + k, true)).flat();
    const causes = rankRootCauses({ spans: window, baselineSpans: baseline, entryServices: [] });
    expect(causes[0]).toMatchObject({ service: 'inventory', path: ['inventory', 'orders', 'gateway'] });
    expect(causes[0]!.traceIds.length).toBeGreaterThan(0);
  });
});
