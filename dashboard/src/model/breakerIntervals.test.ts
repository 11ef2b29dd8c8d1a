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

describe.each<[string, number, number, (ids: string[]) => void]>([
  ['fewer than max: all, oldest first', 5, 10, (ids) => expect(ids).toEqual(['t0', 't1', 't2', 't3', 't4'])],
  ['includes the oldest and newest', 1000, 40, (ids) => {
    expect(ids).toHaveLength(40);
    expect(ids.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`));
    expect(ids).toContain('t999');
  }],
  ['spreads across the middle', 1000, 40, (ids) => expect(ids.some((id) => Number(id.slice(1)) > 400 && Number(id.slice(1)) < 600)).toBe(true)],
  ['max zero', 10, 0, (ids) => expect(ids).toEqual([])],
])('pickBreakerSample: %s', (_name, count, max, check) => {
  it('picks a bounded, time-spread sample', () => {
    const traces = Array.from({ length: count }, (_, i) => ({ traceId: `t${i}`, startMs: 1000 - i * 0 + i })).reverse();
    const snapshot = structuredClone(traces);
    const ids = pickBreakerSample(traces, max);
    expect(new Set(ids).size).toBe(ids.length);
    check(ids);
    expect(traces).toEqual(snapshot);
  });
});
