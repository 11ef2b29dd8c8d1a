import { describe, expect, it } from 'vitest';
import { latencyShifts, robustStats, type LatencySample } from './latencyShift.js';

function samples(n: number, make: (k: number) => Omit<LatencySample, 'span' | 'trace'>): LatencySample[] {
  return Array.from({ length: n }, (_, k) => ({ ...make(k), span: k, trace: k }));
}
const wobble = (k: number) => (k % 5) * 0.2;

describe('robustStats', () => {
  it('ignores a few wild values', () => {
    const s = robustStats([10, 10.5, 9.5, 10, 1000, 10.2, 9.8]);
    expect(s.median).toBe(10);
    expect(s.sigma).toBeLessThan(1);
  });
});

describe('latencyShifts', () => {
  it('charges a slow own-time to its service, and nothing to steady ones', () => {
    const base = samples(50, (k) => ({ key: k % 2 ? 'a' : 'b', service: k % 2 ? 'a' : 'b', valueMs: 5 + wobble(k) }));
    const win = samples(50, (k) => ({ key: k % 2 ? 'a' : 'b', service: k % 2 ? 'a' : 'b', valueMs: (k % 2 ? 25 : 5) + wobble(k) }));
    const shifts = latencyShifts({ self: base, hops: [] }, { self: win, hops: [] }, 50);
    expect(shifts.map((s) => s.service)).toEqual(['a']);
    expect(shifts[0]!.addedMsPerRequest).toBeCloseTo(10, 0);
  });

  it('charges slow hops to the callee, or to the caller when all its hops slowed and the callee’s other callers did not', () => {
    // x calls y and z; w calls y. Only x's hops slow down: x is the delayed one.
    const hop = (caller: string, callee: string, ms: number) => (k: number) => ({ key: callee, service: callee, caller, valueMs: ms + wobble(k) });
    const base = [...samples(30, hop('x', 'y', 2)), ...samples(30, hop('x', 'z', 2)), ...samples(30, hop('w', 'y', 2))];
    const win = [...samples(30, hop('x', 'y', 40)), ...samples(30, hop('x', 'z', 40)), ...samples(30, hop('w', 'y', 2))];
    const shifts = latencyShifts({ self: [], hops: base }, { self: [], hops: win }, 30);
    expect(shifts[0]).toMatchObject({ service: 'x', viaCaller: 'x' });
    // One slow hop into y alone is y's.
    const only = latencyShifts({ self: [], hops: samples(30, hop('x', 'y', 2)) }, { self: [], hops: samples(30, hop('x', 'y', 40)) }, 30);
    expect(only[0]!.service).toBe('y');
  });
});
