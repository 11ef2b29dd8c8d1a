import { describe, expect, it } from 'vitest';
import { makeSpan } from './fixtures/span.js';
import { carriesFailure, effectiveChildren, requestFailed } from './failures.js';
import { indexTraces } from './traceIndex.js';

const traceId = 'f'.repeat(32);
const id = (n: number) => n.toString(16).padStart(16, '0');

describe('failures through spans that say nothing', () => {
  it('looks through an unset-status handler span to the failing call under it (express instrumentation)', () => {
    const ix = indexTraces([
      makeSpan({ traceId, spanId: id(1), service: 'orders', name: 'GET /orders', attributes: { 'http.response.status_code': 502 } }),
      makeSpan({ traceId, spanId: id(2), parentSpanId: id(1), service: 'orders', name: 'request handler - /orders', kind: 'internal' }),
      makeSpan({ traceId, spanId: id(3), parentSpanId: id(2), service: 'orders', name: 'GET', kind: 'client', status: 'error' }),
    ]);
    const out: number[] = [];
    effectiveChildren(ix, 0, out);
    expect(out.map((i) => ix.spans[i]!.spanId)).toEqual([id(3)]);
  });

  it('reads an error-handler span as the failure of the request it answered (Spring BasicErrorController)', () => {
    const ix = indexTraces([
      makeSpan({ traceId, spanId: id(1), service: 'caller', name: 'call', kind: 'client' }),
      makeSpan({ traceId, spanId: id(2), parentSpanId: id(1), service: 'ts-order', name: 'POST /order' }),
      makeSpan({ traceId, spanId: id(3), parentSpanId: id(2), service: 'ts-order', name: 'BasicErrorController.error', kind: 'internal' }),
    ]);
    expect(requestFailed(ix, 1)).toBe(true);
    expect(carriesFailure(ix, 0)).toBe(true);
  });

  it('never overrides an explicit OK or a 4xx answer', () => {
    const ix = indexTraces([
      makeSpan({ traceId, spanId: id(1), service: 's', name: 'GET /x', attributes: { 'http.response.status_code': 404 } }),
      makeSpan({ traceId, spanId: id(2), parentSpanId: id(1), service: 's', name: 'error handler', kind: 'internal' }),
    ]);
    expect(requestFailed(ix, 0)).toBe(false);
  });
});
