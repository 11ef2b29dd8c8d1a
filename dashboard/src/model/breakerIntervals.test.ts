import { describe, expect, it } from 'vitest';
import type { Trace } from '../api/types.js';
import { breakerTimelines, extractBreakerTransitions, normaliseState, type BreakerTransition } from './breakerIntervals.js';
import { event, span } from './fixtures/spans.js';

const t = (timeMs: number, from: BreakerTransition['from'], to: BreakerTransition['to'], breaker = 'inventory'): BreakerTransition => ({ breaker, service: 'orders', timeMs, from, to });
const W = { fromMs: 0, toMs: 100 };

describe.each<[string, BreakerTransition[], [string, number, number][], number, number]>([
  ['none', [], [], 0, 0],
  ['opens and stays open', [t(40, 'closed', 'open')], [['closed', 0, 40], ['open', 40, 100]], 0.6, 0],
  [
    'full cycle',
    [t(10, 'closed', 'open'), t(30, 'open', 'half-open'), t(35, 'half-open', 'closed')],
    [['closed', 0, 10], ['open', 10, 30], ['half-open', 30, 35], ['closed', 35, 100]],
    0.25,
    0,
  ],
  ['out of order input', [t(30, 'open', 'half-open'), t(10, 'closed', 'open')], [['closed', 0, 10], ['open', 10, 30], ['half-open', 30, 100]], 0.9, 0],
  ['before the window', [t(-50, 'closed', 'open')], [['open', 0, 100]], 1, 0],
  ['after the window', [t(150, 'closed', 'open')], [['closed', 0, 100]], 0, 0],
  ['sampled gap', [t(10, 'closed', 'open'), t(50, 'half-open', 'closed')], [['closed', 0, 10], ['open', 10, 50], ['closed', 50, 100]], 0.4, 1],
])('breakerTimelines: %s', (_name, transitions, intervals, openShare, warningCount) => {
  it('covers the window with state intervals', () => {
    const snapshot = structuredClone(transitions);
    const { result, warnings } = breakerTimelines(transitions, W);
    if (transitions.length === 0) expect(result).toEqual([]);
    else {
      expect(result).toHaveLength(1);
      expect(result[0]!.intervals.map((i) => [i.state, i.startMs, i.endMs])).toEqual(intervals);
      expect(result[0]!.openShare).toBeCloseTo(openShare);
    }
    expect(warnings).toHaveLength(warningCount);
    expect(transitions).toEqual(snapshot);
  });
});

it('keeps one timeline per breaker, most-open first', () => {
  const { result } = breakerTimelines([t(90, 'closed', 'open', 'a'), t(10, 'closed', 'open', 'b')], W);
  expect(result.map((r) => r.breaker)).toEqual(['b', 'a']);
});

describe.each([
  ['closed', 'closed'],
  ['OPEN', 'open'],
  ['half_open', 'half-open'],
  ['halfOpen', 'half-open'],
  ['half-open', 'half-open'],
  ['isolated', 'open'],
  ['weird', null],
  [3, null],
])('normaliseState(%j)', (v, s) => it(`is ${s}`, () => expect(normaliseState(v)).toBe(s)));

describe('extractBreakerTransitions', () => {
  const ev = (ms: number, from: string, to: string) => event('breaker.state', ms, { 'faultline.breaker': 'inventory', 'faultline.from': from, 'faultline.to': to });
  const traces: Trace[] = [
    { traceId: '1', spans: [span('a', '', 'orders', 0, 10, { events: [ev(5, 'closed', 'open'), event('retry', 3)] })] },
    { traceId: '2', spans: [span('b', '', 'orders', 0, 10, { events: [ev(5, 'closed', 'open'), ev(8, 'open', 'bogus')] }), span('c', '', 'gateway', 0, 10, { attributes: { 'peer.service': 'orders' }, events: [event('breaker.state', 2, { 'faultline.from': 'closed', 'faultline.to': 'open' })] })] },
  ];
  it('dedupes, sorts, names by peer.service when unnamed and warns on bad states', () => {
    const snapshot = structuredClone(traces);
    const { result, warnings } = extractBreakerTransitions(traces);
    expect(result.map((r) => [r.service, r.breaker, r.timeMs])).toEqual([
      ['gateway', 'orders', 2],
      ['orders', 'inventory', 5],
    ]);
    expect(warnings).toHaveLength(1);
    expect(traces).toEqual(snapshot);
  });
  it('filters by service', () => {
    expect(extractBreakerTransitions(traces, 'orders').result.map((r) => r.service)).toEqual(['orders']);
  });
});

import { pickBreakerSample } from './breakerIntervals.js';

// 1000 traces 1 s apart: ok until 400, failing 400..699 (every 3rd ok: other routes), ok from 700.
const failedAt = (i: number) => i >= 400 && i < 700 && i % 3 !== 0;
describe.each<[string, number, number, (ids: string[]) => void]>([
  ['fewer than max: all, oldest first', 5, 10, (ids) => expect(ids).toEqual(['t0', 't1', 't2', 't3', 't4'])],
  ['the first failures of the episode', 1000, 60, (ids) => {
    for (const id of ['t400', 't401', 't403', 't404']) expect(ids).toContain(id);
  }],
  ['the traces around the end of the episode', 1000, 60, (ids) => {
    for (const id of ['t697', 't698', 't699', 't700', 't701']) expect(ids).toContain(id);
  }],
  ['the newest', 1000, 60, (ids) => expect(ids).toContain('t999')],
  ['a spread over the failures', 1000, 60, (ids) => expect(ids.some((id) => Number(id.slice(1)) > 500 && Number(id.slice(1)) < 600)).toBe(true)],
  ['exactly max', 1000, 60, (ids) => expect(ids).toHaveLength(60)],
  ['max zero', 10, 0, (ids) => expect(ids).toEqual([])],
])('pickBreakerSample: %s', (_name, count, max, check) => {
  it('picks a bounded sample', () => {
    const traces = Array.from({ length: count }, (_, i) => ({ traceId: `t${i}`, startMs: 1000 * i, failed: failedAt(i) })).reverse();
    const snapshot = structuredClone(traces);
    const ids = pickBreakerSample(traces, max);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeLessThanOrEqual(max);
    check(ids);
    expect(traces).toEqual(snapshot);
  });
});

import { failureEpisodes } from './breakerIntervals.js';

describe.each<[number[], [number, number, number][]]>([
  [[], []],
  [[5], [[5, 5, 1]]],
  [[30, 10, 20, 200, 210], [[10, 30, 3], [200, 210, 2]]],
  [[0, 100], [[0, 0, 1], [100, 100, 1]]],
  [[0, 99], [[0, 99, 2]]],
])('failureEpisodes(%j, 100)', (times, expected) => {
  it('splits on gaps', () => {
    const copy = [...times];
    expect(failureEpisodes(times, 100).map((e) => [e.startMs, e.endMs, e.count])).toEqual(expected);
    expect(times).toEqual(copy);
  });
});
