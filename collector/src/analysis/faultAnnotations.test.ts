import { describe, expect, it } from 'vitest';
import { deepFreeze } from './fixtures/span.js';
import { breakerTransitionsOf, faultAnnotationsOf, mergeFaultAnnotations, type StoredAnnotation } from './faultAnnotations.js';
import { isBackgroundWork, isSameDelivery } from './requestKinds.js';
import type { SpanRecord } from '../model.js';

const M = 60_000;
function span(p: Partial<SpanRecord> & Pick<SpanRecord, 'service'>): SpanRecord {
  return {
    traceId: 't'.repeat(32), spanId: p.spanId ?? 's1', parentSpanId: '', name: 'x', kind: 'server', startMs: 0, endMs: 1, durationMs: 1, status: 'unset',
    statusMessage: '', attributes: {}, resource: {}, events: [], links: [], ...p,
  };
}
const fault = (service: string, timeMs: number, kind = 'error') => span({ service, events: [{ name: 'fault.injected', timeMs, attributes: { 'faultline.fault': kind } }] });

describe('fault annotations', () => {
  it('makes one annotation per service, fault and minute, and merges adjacent minutes on read', () => {
    const spans = deepFreeze([fault('pay', 1000), fault('pay', 2000), fault('pay', M + 500), fault('pay', 5 * M), fault('pay', 1500, 'latency')]);
    const stored = faultAnnotationsOf(spans);
    expect(stored.map((a) => [a.service, a.attributes['faultline.fault'], a.timeMs, a.endMs])).toEqual([
      ['pay', 'error', 1000, 2000], ['pay', 'error', M + 500, M + 500], ['pay', 'error', 5 * M, 5 * M], ['pay', 'latency', 1500, 1500],
    ]);
    expect(faultAnnotationsOf(spans).map((a) => a.id)).toEqual(stored.map((a) => a.id));
    const merged = mergeFaultAnnotations(stored);
    expect(merged.map((a) => [a.attributes['faultline.fault'], a.timeMs, a.endMs])).toEqual([['error', 1000, M + 500], ['latency', 1500, 1500], ['error', 5 * M, 5 * M]]);
  });

  it('names the victim a recorder span points at, and leaves posted annotations alone', () => {
    const recorder = span({ service: 'faultline-chaos', attributes: { 'peer.service': 'stock' }, events: [{ name: 'fault.injected', timeMs: 7, attributes: { 'faultline.fault': 'down' } }] });
    expect(faultAnnotationsOf([recorder]).map((a) => [a.service, a.text])).toEqual([['stock', 'down fault injected into stock']]);
    const posted: StoredAnnotation = { id: 'a', timeMs: 1, kind: 'fault', text: 'x', attributes: {}, namespace: '', origin: 'api' };
    expect(mergeFaultAnnotations([posted, { ...posted, id: 'b', timeMs: 2 }]).map((a) => a.id)).toEqual(['a', 'b']);
  });
});

describe('breaker transitions', () => {
  it('reads breaker.state events with normalised states, skipping unknown ones', () => {
    const s = span({ service: 'orders', kind: 'client', attributes: { 'peer.service': 'pay' }, events: [
      { name: 'breaker.state', timeMs: 1, attributes: { 'faultline.from': 'CLOSED', 'faultline.to': 'open' } },
      { name: 'retry', timeMs: 2, attributes: {} },
      { name: 'breaker.state', timeMs: 3, attributes: { 'faultline.from': 'open', 'faultline.to': 'half_open', 'faultline.breaker': 'b1' } },
      { name: 'breaker.state', timeMs: 4, attributes: { 'faultline.to': 'sideways' } },
    ] });
    expect(breakerTransitionsOf([s]).map((t) => [t.seq, t.breaker, t.target, t.from, t.to])).toEqual([[0, 'pay', 'pay', 'closed', 'open'], [2, 'b1', 'pay', 'open', 'half-open']]);
  });
});

describe('request kinds', () => {
  it.each([
    { name: 'a SERVER root is a request', s: span({ service: 'a' }), background: false },
    { name: 'an INTERNAL root is background', s: span({ service: 'a', kind: 'internal' }), background: true },
    { name: 'a CONSUMER root is background', s: span({ service: 'a', kind: 'consumer' }), background: true },
    { name: 'a root with a link is background', s: span({ service: 'a', links: [{ traceId: 'x', spanId: 'y', attributes: {} }] }), background: true },
    { name: 'a marked root is background', s: span({ service: 'a', attributes: { 'faultline.background': true } }), background: true },
    { name: 'a child is never background', s: span({ service: 'a', kind: 'internal', parentSpanId: 'p' }), background: false },
  ])('$name', ({ s, background }) => expect(isBackgroundWork(s)).toBe(background));

  it.each([
    { name: 'server and consumer beside each other', a: { kind: 'server', parentSpanId: 'p' }, b: { kind: 'consumer', parentSpanId: 'p' }, same: true },
    { name: 'consumer under the server', a: { kind: 'server', spanId: 'srv', parentSpanId: 'p' }, b: { kind: 'consumer', parentSpanId: 'srv' }, same: true },
    { name: 'two servers with one parent', a: { kind: 'server', parentSpanId: 'p' }, b: { kind: 'server', parentSpanId: 'p' }, same: false },
    { name: 'other service', a: { kind: 'server', parentSpanId: 'p' }, b: { kind: 'consumer', parentSpanId: 'p', service: 'other' }, same: false },
    { name: 'two roots', a: { kind: 'server', parentSpanId: '' }, b: { kind: 'consumer', parentSpanId: '' }, same: false },
  ] as const)('$name', ({ a, b, same }) => {
    const x = span({ service: 'n', spanId: 'x1', ...a });
    const y = span({ service: 'n', spanId: 'y1', ...b });
    expect(isSameDelivery(x, y)).toBe(same);
    expect(isSameDelivery(y, x)).toBe(same);
  });
});
