import { describe, expect, it } from 'vitest';
import { chain, generateTraces } from './fixtures/traceGenerator.js';
import { deepFreeze, makeSpan } from './fixtures/span.js';
import { childrenOf, failed, indexTraces, selfTimeMs } from './traceIndex.js';

const T = 'ab'.repeat(16);

describe('indexTraces', () => {
  it('links parents and children within each trace, whatever the arrival order', () => {
    const spans = generateTraces({ root: chain(['a', 'b', 'c']), traces: 20, seed: 3, shuffle: true });
    const ix = indexTraces(deepFreeze(spans));
    expect(ix.traces).toHaveLength(20);
    expect(ix.spans).toHaveLength(spans.length);
    for (const trace of ix.traces) {
      expect(trace.tops).toHaveLength(1);
      expect(ix.spans[trace.tops[0]!]!.parentSpanId).toBe('');
    }
    for (let i = 0; i < ix.spans.length; i++) {
      const p = ix.parent[i]!;
      if (p !== -1) {
        expect(ix.spans[p]!.spanId).toBe(ix.spans[i]!.parentSpanId);
        expect(childrenOf(ix, p)).toContain(i);
      }
    }
  });

  it('keeps the first copy of a span delivered twice', () => {
    const root = makeSpan({ traceId: T, spanId: '1'.repeat(16) });
    const child = makeSpan({ traceId: T, spanId: '2'.repeat(16), parentSpanId: root.spanId });
    const ix = indexTraces([root, child, { ...child, name: 'again' }]);
    expect(ix.spans).toHaveLength(2);
    expect(ix.childCount[0]).toBe(1);
  });

  it('treats orphans, self-parents and cycles as tops or unreachable, never loops', () => {
    const a = makeSpan({ traceId: T, spanId: 'a'.repeat(16), parentSpanId: 'b'.repeat(16) });
    const b = makeSpan({ traceId: T, spanId: 'b'.repeat(16), parentSpanId: 'a'.repeat(16) });
    const self = makeSpan({ traceId: T, spanId: 'c'.repeat(16), parentSpanId: 'c'.repeat(16) });
    const orphan = makeSpan({ traceId: T, spanId: 'd'.repeat(16), parentSpanId: 'e'.repeat(16) });
    const ix = indexTraces([a, b, self, orphan]);
    expect(ix.traces[0]!.tops.map((i) => ix.spans[i]!.spanId).sort()).toEqual([self.spanId, orphan.spanId].sort());
  });

  it('samples at most maxTraces whole traces, spread over the input', () => {
    const spans = generateTraces({ root: chain(['a', 'b']), traces: 100, seed: 4 });
    const ix = indexTraces(spans, 10);
    expect(ix.traces).toHaveLength(10);
    for (const trace of ix.traces) expect(trace.count).toBe(3); // whole traces: a server, a→b client, b server
    const kept = ix.traces.map((t) => spans.findIndex((s) => s.traceId === t.traceId));
    expect(Math.max(...kept)).toBeGreaterThan(spans.length / 2);
  });

  it('classifies errors lazily and consistently', () => {
    const ix = indexTraces([makeSpan({ status: 'error' }), makeSpan({ attributes: { 'http.status_code': 503 } }), makeSpan()]);
    expect([0, 1, 2].map((i) => failed(ix, i))).toEqual([true, true, false]);
  });
});

describe('selfTimeMs', () => {
  it('subtracts the union of children clipped to the span', () => {
    const root = makeSpan({ traceId: T, spanId: '1'.repeat(16), startMs: 0, durationMs: 100 });
    const kids = [
      [10, 30],
      [20, 50], // overlaps the first: union 10..50
      [90, 200], // runs past the parent's end: clipped to 90..100
    ].map(([start, end], k) => makeSpan({ traceId: T, spanId: String(k + 2).repeat(16), parentSpanId: root.spanId, startMs: start, durationMs: end! - start! }));
    const ix = indexTraces([root, ...kids]);
    expect(selfTimeMs(ix, 0)).toBe(100 - 40 - 10);
    expect(selfTimeMs(ix, 3)).toBe(110);
  });
});
