import { describe, expect, it } from 'vitest';
import type { Trace } from '../api/types.js';
import { span } from './fixtures/spans.js';
import { correlationIds, parseTraceFilters, traceFilterParams, type TraceFilters } from './traceSearch.js';

const base: TraceFilters = { service: '', operation: '', status: '', minDurationMs: null, maxDurationMs: null, correlationId: '', attrs: [], namespace: '', limit: 50 };

describe.each<[string, Partial<TraceFilters>, number]>([
  ['', {}, 0],
  ['service=orders&status=error', { service: 'orders', status: 'error' }, 0],
  ['status=broken', {}, 1],
  ['minDurationMs=250', { minDurationMs: 250 }, 0],
  ['minDurationMs=-1', {}, 1],
  ['minDurationMs=10&maxDurationMs=500', { minDurationMs: 10, maxDurationMs: 500 }, 0],
  ['maxDurationMs=soon', {}, 1],
  ['attr=http.route%3D%2Forders&attr=peer.service=inventory', { attrs: ['http.route=/orders', 'peer.service=inventory'] }, 0],
  ['attr=novalue', {}, 1],
  [Array.from({ length: 9 }, (_, i) => `attr=k${i}=v`).join('&'), { attrs: Array.from({ length: 8 }, (_, i) => `k${i}=v`) }, 1],
  ['correlationId=abc-123', { correlationId: 'abc-123' }, 0],
  ['correlationId=bad%20id%3C', {}, 1],
  ['namespace=scenario-inventory-down-1a2b', { namespace: 'scenario-inventory-down-1a2b' }, 0],
  ['limit=5000', { limit: 1000 }, 0],
  ['limit=zero', {}, 0],
])('parseTraceFilters(%s)', (query, expected, warningCount) => {
  it('parses and round-trips', () => {
    const { result, warnings } = parseTraceFilters(new URLSearchParams(query));
    expect(result).toEqual({ ...base, ...expected });
    expect(warnings).toHaveLength(warningCount);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(traceFilterParams(result))) if (v !== null) params.set(k, v);
    expect(parseTraceFilters(params).result).toEqual(result);
  });
});

describe('correlation ids', () => {
  const trace: Trace = {
    traceId: 't',
    spans: [span('a', '', 'gateway', 0, 1, { attributes: { 'faultline.correlation_id': 'c-1' } }), span('b', 'a', 'orders', 0, 1, { attributes: { 'x-correlation-id': ['c-1', 'c-2'] } })],
  };
  it('collects every id the spans carry', () => {
    const snapshot = structuredClone(trace);
    expect(correlationIds(trace).sort()).toEqual(['c-1', 'c-2']);
    expect(trace).toEqual(snapshot);
  });
});
