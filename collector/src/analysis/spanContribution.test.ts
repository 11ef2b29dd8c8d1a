import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../model.js';
import { makeSpan } from './fixtures/span.js';
import { histogramCount, quantileMs } from './histogram.js';
import { isErrorSpan } from './semconv.js';
import { callStats, calleeHint, isAttemptSpan, isCallerSide, isServerSide, nodeContribution } from './spanContribution.js';

describe('which side of a call a span is', () => {
  it.each([
    ['server', 'child', true, false],
    ['consumer', 'child', true, false],
    ['client', 'child', false, true],
    ['producer', 'child', false, true],
    ['internal', 'child', false, false],
    ['internal', 'root', true, false],
    ['client', 'root', true, true],
    ['unspecified', 'root', true, false],
  ] as const)('%s span (%s) → server side %s, caller side %s', (kind, position, server, caller) => {
    const span = makeSpan({ kind, parentSpanId: position === 'root' ? '' : 'ab'.repeat(8) });
    expect(isServerSide(span)).toBe(server);
    expect(isCallerSide(span)).toBe(caller);
  });
});

describe('error classification across semantic-convention versions', () => {
  it.each<[string, Partial<SpanRecord>, boolean]>([
    ['status ERROR', { status: 'error' }, true],
    ['status OK wins over a 500 attribute', { status: 'ok', attributes: { 'http.response.status_code': 500 } }, false],
    ['unset with http.response.status_code 503', { attributes: { 'http.response.status_code': 503 } }, true],
    ['unset with old http.status_code 500', { attributes: { 'http.status_code': 500 } }, true],
    ['unset with http.status_code as a string', { attributes: { 'http.status_code': '502' } }, true],
    ['unset with 404 on a server span', { attributes: { 'http.response.status_code': 404 } }, false],
    ['unset with 200', { attributes: { 'http.response.status_code': 200 } }, false],
    ['server gRPC UNAVAILABLE (14)', { attributes: { 'rpc.grpc.status_code': 14 } }, true],
    ['server gRPC NOT_FOUND (5)', { attributes: { 'rpc.grpc.status_code': 5 } }, false],
    ['client gRPC NOT_FOUND (5)', { kind: 'client', attributes: { 'rpc.grpc.status_code': 5 } }, true],
    ['error.type set', { attributes: { 'error.type': 'java.net.ConnectException' } }, true],
    ['nothing set', {}, false],
  ])('%s', (_label, fields, expected) => {
    expect(isErrorSpan(makeSpan(fields))).toBe(expected);
  });
});

describe('nodeContribution', () => {
  it('counts a root server span as an entry request with its latency', () => {
    const c = nodeContribution(makeSpan({ service: 'shop', durationMs: 42, status: 'error' }));
    expect(c?.service).toBe('shop');
    expect(c?.entry).toBe(true);
    expect(c?.stats.requests).toBe(1);
    expect(c?.stats.errors).toBe(1);
    expect(histogramCount(c!.stats.histogram)).toBe(1);
    expect(Math.abs(quantileMs(c!.stats.histogram, 0.5) - 42)).toBeLessThanOrEqual(10);
  });

  it('marks a child server span as not an entry and ignores client spans', () => {
    expect(nodeContribution(makeSpan({ parentSpanId: 'cd'.repeat(8) }))?.entry).toBe(false);
    expect(nodeContribution(makeSpan({ kind: 'client', parentSpanId: 'cd'.repeat(8) }))).toBeNull();
  });
});

const event = (name: string, attributes = {}) => ({ name, timeMs: 1_700_000_000_005, attributes });

describe('callStats', () => {
  it('counts retries, timeouts and short-circuits from the SDK span events', () => {
    const span = makeSpan({
      kind: 'client',
      status: 'error',
      events: [
        event('timeout', { 'faultline.timeout_ms': 100, 'faultline.scope': 'attempt' }),
        event('retry', { 'faultline.attempt': 2 }),
        event('timeout', { 'faultline.scope': 'attempt' }),
        event('retry', { 'faultline.attempt': 3 }),
        event('breaker.rejected'),
        event('bulkhead.rejected'),
        event('breaker.state', { 'faultline.from': 'closed', 'faultline.to': 'open' }),
      ],
    });
    const stats = callStats(span);
    expect(stats).toMatchObject({ requests: 1, errors: 1, retries: 2, timeouts: 2, shortCircuits: 2 });
  });

  it('adds the events of attempt children and counts attempts beyond the first as retries', () => {
    const call = makeSpan({ kind: 'client' });
    const attempts = [
      makeSpan({ kind: 'client', parentSpanId: call.spanId, status: 'error', events: [event('timeout')] }),
      makeSpan({ kind: 'client', parentSpanId: call.spanId, status: 'error', events: [event('timeout')] }),
      makeSpan({ kind: 'client', parentSpanId: call.spanId }),
    ];
    expect(callStats(call, attempts)).toMatchObject({ requests: 1, errors: 0, retries: 2, timeouts: 2 });
    expect(isAttemptSpan(attempts[0]!, call)).toBe(true);
  });

  it('does not double count retries recorded both as events and as attempts', () => {
    const call = makeSpan({ kind: 'client', events: [event('retry')] });
    const attempts = [makeSpan({ kind: 'client' }), makeSpan({ kind: 'client' })];
    expect(callStats(call, attempts).retries).toBe(1);
  });

  it('counts a resent request of plain OTel HTTP instrumentation as a retry', () => {
    expect(callStats(makeSpan({ kind: 'client', attributes: { 'http.request.resend_count': 2 } })).retries).toBe(1);
  });

  it('counts a failure that reads as a timeout when no SDK event says so', () => {
    expect(callStats(makeSpan({ kind: 'client', status: 'error', statusMessage: 'Request timed out' })).timeouts).toBe(1);
    expect(callStats(makeSpan({ kind: 'client', attributes: { 'rpc.grpc.status_code': 4 } })).timeouts).toBe(1);
    expect(callStats(makeSpan({ kind: 'client', status: 'error', statusMessage: 'ECONNREFUSED' })).timeouts).toBe(0);
  });
});

describe('calleeHint', () => {
  it.each<[string, Record<string, string | number>, string | null]>([
    ['peer.service first', { 'peer.service': 'billing', 'server.address': '10.0.0.1' }, 'billing'],
    ['server.address', { 'server.address': 'billing.svc', 'url.full': 'http://other/x' }, 'billing.svc'],
    ['old net.peer.name', { 'net.peer.name': 'billing.old' }, 'billing.old'],
    ['host of url.full', { 'url.full': 'https://billing.example:8443/charge?x=1' }, 'billing.example'],
    ['host of old http.url', { 'http.url': 'http://legacy-host/path' }, 'legacy-host'],
    ['messaging destination', { 'messaging.destination.name': 'orders.created' }, 'orders.created'],
    ['an unparsable url falls through', { 'url.full': 'not a url', 'messaging.destination.name': 'q' }, 'q'],
    ['nothing known', {}, null],
  ])('%s', (_label, attributes, expected) => {
    expect(calleeHint(makeSpan({ kind: 'client', attributes }))).toBe(expected);
  });
});
