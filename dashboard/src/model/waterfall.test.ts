import { describe, expect, it } from 'vitest';
import type { Span } from '../api/types.js';
import { event, hugeTrace, retryTrace, span } from './fixtures/spans.js';
import { buildWaterfall, firstErrorIndex, markerKind, markerLabel, visibleRows } from './waterfall.js';

describe('buildWaterfall: retry trace', () => {
  const snapshot = structuredClone(retryTrace);
  const { result, warnings } = buildWaterfall(retryTrace);
  it('orders rows depth-first with children by start time', () => {
    expect(result.rows.map((r) => `${r.span.spanId}@${r.depth}`)).toEqual(['g@0', 'gc@1', 'o@2', 'l1@3', 'a1@4', 'a2@4', 'a3@4']);
    expect(warnings).toEqual([]);
  });
  it('nests attempts under their logical call, numbered', () => {
    expect(result.rows.filter((r) => r.attempt !== null).map((r) => [r.span.spanId, r.attempt])).toEqual([
      ['a1', 1],
      ['a2', 2],
      ['a3', 3],
    ]);
    expect(result.rows.find((r) => r.span.spanId === 'gc')!.attempt).toBeNull();
  });
  it('places bars and markers on the trace axis', () => {
    expect(result.traceStartMs).toBe(1000);
    expect(result.traceDurationMs).toBe(100);
    const l1 = result.rows.find((r) => r.span.spanId === 'l1')!;
    expect(l1.offsetPct).toBeCloseTo(5);
    expect(l1.widthPct).toBeCloseTo(90);
    expect(l1.markers.map((m) => [m.kind, m.offsetPct])).toEqual([
      ['retry', 30],
      ['retry', 60],
      ['breaker', 90],
    ]);
    expect(l1.markers[0]!.label).toBe('retry #2 after 20 ms (ECONNREFUSED)');
  });
  it('counts errors and services and does not mutate the input', () => {
    expect(result.errorCount).toBe(7);
    expect(result.services).toEqual(['gateway', 'orders']);
    expect(firstErrorIndex(result.rows)).toBe(0);
    expect(retryTrace).toEqual(snapshot);
  });
});

describe.each<[string, Span[], string[], number]>([
  ['empty', [], [], 0],
  ['orphan parent', [span('x', 'missing', 'a', 0, 1), span('r', '', 'a', 0, 2)], ['r', 'x'], 1],
  ['self parent', [span('x', 'x', 'a', 0, 1)], ['x'], 1],
  ['two-span cycle', [span('r', '', 'a', 0, 5), span('x', 'y', 'a', 1, 1), span('y', 'x', 'a', 2, 1)], ['r'], 1],
  ['duplicate id', [span('r', '', 'a', 0, 5), span('r', '', 'b', 0, 5)], ['r'], 1],
  ['zero duration', [span('r', '', 'a', 7, 0)], ['r'], 0],
])('buildWaterfall: %s', (_name, spans, ids, warningCount) => {
  it('returns rows and warnings instead of throwing', () => {
    const snapshot = structuredClone(spans);
    const { result, warnings } = buildWaterfall(spans);
    expect(result.rows.map((r) => r.span.spanId)).toEqual(ids);
    expect(warnings).toHaveLength(warningCount);
    for (const r of result.rows) {
      expect(r.offsetPct).toBeGreaterThanOrEqual(0);
      expect(r.offsetPct + r.widthPct).toBeLessThanOrEqual(100.0001);
    }
    expect(spans).toEqual(snapshot);
  });
});

describe('buildWaterfall at the limit', () => {
  it('handles a 5,000-span trace and a 5,000-deep chain', () => {
    expect(buildWaterfall(hugeTrace(5000)).result.rows).toHaveLength(5000);
    const chain = Array.from({ length: 5000 }, (_, i) => span(`c${i}`, i ? `c${i - 1}` : '', 'a', i, 5000 - i));
    const rows = buildWaterfall(chain).result.rows;
    expect(rows).toHaveLength(5000);
    expect(rows.at(-1)!.depth).toBe(4999);
  });
});

describe('visibleRows', () => {
  const rows = buildWaterfall(retryTrace).result.rows;
  describe.each<[string[], string[]]>([
    [[], ['g', 'gc', 'o', 'l1', 'a1', 'a2', 'a3']],
    [['l1'], ['g', 'gc', 'o', 'l1']],
    [['gc'], ['g', 'gc']],
    [['a1'], ['g', 'gc', 'o', 'l1', 'a1', 'a2', 'a3']],
  ])('collapsed %j', (collapsed, ids) => {
    it('hides descendants only', () => {
      const set = new Set(collapsed);
      expect(visibleRows(rows, set).map((r) => r.span.spanId)).toEqual(ids);
      expect(set.size).toBe(collapsed.length);
      expect(rows).toHaveLength(7);
    });
  });
});

describe.each([
  ['retry', {}, 'retry', 'retry'],
  ['timeout', { 'faultline.timeout_ms': 250, 'faultline.scope': 'attempt' }, 'timeout', 'timeout 250 ms (attempt)'],
  ['breaker.state', { 'faultline.breaker': 'inv', 'faultline.from': 'open', 'faultline.to': 'half-open' }, 'breaker', 'breaker inv open → half-open'],
  ['breaker.rejected', {}, 'rejected', 'short-circuited: breaker open'],
  ['bulkhead.rejected', {}, 'rejected', 'rejected: bulkhead full'],
  ['fallback', {}, 'fallback', 'fallback used'],
  ['idempotency.replayed', {}, 'idempotency', 'idempotent replay'],
  ['fault.injected', { 'faultline.fault': 'latency' }, 'fault', 'fault injected: latency'],
  ['retry.budget_exhausted', {}, 'budget', 'retry budget exhausted'],
  ['exception', { 'exception.message': 'boom' }, 'exception', 'exception: boom'],
  ['custom', {}, 'other', 'custom'],
])('marker for %s', (name, attributes, kind, label) => {
  it(`is ${kind}: ${label}`, () => {
    expect(markerKind(name)).toBe(kind);
    expect(markerLabel(event(name, 0, attributes))).toBe(label);
  });
});
