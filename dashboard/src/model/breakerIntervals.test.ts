import { describe, expect, it } from 'vitest';
import type { Breaker } from '../api/types.js';
import { breakerTimelines, breakerTransitions, normaliseState, type BreakerTransition } from './breakerIntervals.js';

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

describe('breakerTransitions', () => {
  const breakers: Breaker[] = [
    { service: 'orders', breaker: 'inventory', target: 'inventory', transitions: [{ timeMs: 8, from: 'bogus', to: 'open' }, { timeMs: 5, from: 'closed', to: 'open' }] },
    { service: 'gateway', breaker: 'orders', target: 'orders', transitions: [{ timeMs: 2, from: 'closed', to: 'open' }] },
    { service: 'shipping', breaker: 'carrier', target: 'carrier', transitions: [{ timeMs: 1, from: 'closed', to: 'open' }] },
  ];
  describe.each<[string, [string, string, number][], number]>([
    ['orders', [['gateway', 'orders', 2], ['orders', 'inventory', 5]], 1],
    ['inventory', [['orders', 'inventory', 5]], 1],
    ['shipping', [['shipping', 'carrier', 1]], 0],
    ['payments', [], 0],
  ])('for %s', (service, expected, warningCount) => {
    it('keeps the breakers it holds and those around calls to it, sorted, and warns on unknown states', () => {
      const snapshot = structuredClone(breakers);
      const { result, warnings } = breakerTransitions(breakers, service);
      expect(result.map((r) => [r.service, r.breaker, r.timeMs])).toEqual(expected);
      expect(warnings).toHaveLength(warningCount);
      expect(breakers).toEqual(snapshot);
    });
  });
});
