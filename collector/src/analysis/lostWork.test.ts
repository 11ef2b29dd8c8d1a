import { describe, expect, it } from 'vitest';
import { deepFreeze, makeSpan } from './fixtures/span.js';
import { lostWork, lostWorkCause, lostWorkIncident } from './lostWork.js';
import type { SpanRecord } from '../model.js';

const T = 1_700_000_000_000;
let ids = 0;
const id = (n: number) => (++ids).toString(16).padStart(n, '0');

/**
 * One order a second: web → checkout, whose PlaceOrder span has the steps Charge and Ship as
 * children. From `cutAtMs` on, `cutShare` of the orders stop after Charge (an exception
 * answered as a normal reply).
 */
function orders(seconds: number, cutAtMs: number, cutShare = 1): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (let k = 0; k < seconds; k++) {
    const at = T + k * 1000;
    const traceId = id(32);
    const root = makeSpan({ traceId, spanId: id(16), service: 'web', name: 'POST /order', startMs: at, durationMs: 12 });
    const call = makeSpan({ traceId, spanId: id(16), parentSpanId: root.spanId, service: 'web', kind: 'client', name: 'checkout.Checkout/PlaceOrder', startMs: at + 1, durationMs: 10 });
    const place = makeSpan({ traceId, spanId: id(16), parentSpanId: call.spanId, service: 'checkout', name: 'checkout.Checkout/PlaceOrder', startMs: at + 1.5, durationMs: 9 });
    const charge = makeSpan({ traceId, spanId: id(16), parentSpanId: place.spanId, service: 'checkout', kind: 'internal', name: 'Charge', startMs: at + 2, durationMs: 3 });
    out.push(root, call, place, charge);
    const cut = at >= T + cutAtMs && (k % 10) / 10 < cutShare;
    if (!cut) out.push(makeSpan({ traceId, spanId: id(16), parentSpanId: place.spanId, service: 'checkout', kind: 'internal', name: 'Ship', startMs: at + 5, durationMs: 3 }));
  }
  return out;
}

describe('lostWork', () => {
  it('names the service whose requests stopped a step they always made, from when they stopped', () => {
    const found = lostWork(deepFreeze(orders(60, 40_000)), T);
    expect(found).toMatchObject({ service: 'checkout', operation: 'checkout.Checkout/PlaceOrder', child: 'Ship', startMs: T + 40_000 + 1.5, shareBefore: 1, shareAfter: 0 });
    expect(found!.path).toEqual(['checkout', 'web']);
    expect(found!.traceIds).toHaveLength(5);
    const cause = lostWorkCause(found!);
    expect(cause).toMatchObject({ service: 'checkout', score: 1, virtual: false, path: ['checkout', 'web'] });
    expect(cause.reason).toMatch(/Work cut short in checkout/);
    expect(lostWorkIncident(found!, false)).toMatchObject({ startMs: found!.startMs, affected: ['checkout'], ongoing: false });
  });

  it('finds nothing when the work is the same throughout, when only a few requests lost it, or before fromMs', () => {
    expect(lostWork(orders(60, Infinity), T)).toBeNull();
    expect(lostWork(orders(60, 40_000, 0.3), T)).toBeNull();
    expect(lostWork(orders(60, 40_000), T + 50_000)).toBeNull();
    // Four orders since the cut are too few to tell.
    expect(lostWork(orders(44, 40_000), T)).toBeNull();
  });

  it('rejects bad options', () => {
    expect(() => lostWork([], T, { minZ: Number.NaN })).toThrow(RangeError);
  });
});
