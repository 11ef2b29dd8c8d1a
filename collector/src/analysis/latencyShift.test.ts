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

  it('keeps a slow hop with the callee when the caller\'s other calls slowed only a little (a loaded machine)', () => {
    // x calls y and z; the hop into y grows by ~150 ms, x's hop into z by ~10 ms: x is not starved.
    const hop = (caller: string, callee: string, ms: number) => (k: number) => ({ key: callee, service: callee, caller, valueMs: ms + wobble(k) });
    const base = [...samples(30, hop('x', 'y', 2)), ...samples(30, hop('x', 'z', 2))];
    const loaded = [...samples(30, hop('x', 'y', 150)), ...samples(30, hop('x', 'z', 12))];
    expect(latencyShifts({ self: [], hops: base }, { self: [], hops: loaded }, 30)[0]).toMatchObject({ service: 'y' });
    // Both hops delayed alike: the caller is the starved one.
    const starved = [...samples(30, hop('x', 'y', 150)), ...samples(30, hop('x', 'z', 120))];
    expect(latencyShifts({ self: [], hops: base }, { self: [], hops: starved }, 30)[0]).toMatchObject({ service: 'x', viaCaller: 'x' });
  });

  it('counts a tail shift (a third of the calls far slower, the median unmoved) and judges a rare call on two far slower samples', () => {
    const base = samples(60, (k) => ({ key: 'web', service: 'web', valueMs: 1 + wobble(k) }));
    const win = samples(60, (k) => ({ key: 'web', service: 'web', valueMs: k % 3 === 0 ? 400 : 1 + wobble(k) }));
    const [tail] = latencyShifts({ self: base, hops: [] }, { self: win, hops: [] }, 60);
    expect(tail).toMatchObject({ service: 'web' });
    expect(tail!.top.tailShare).toBeCloseTo(1 / 3, 2);
    expect(tail!.weak).toBeUndefined();
    // A few slow calls are no tail shift: 3 of 60 is below the 20 % bar.
    const few = samples(60, (k) => ({ key: 'web', service: 'web', valueMs: k % 20 === 0 ? 400 : 1 + wobble(k) }));
    expect(latencyShifts({ self: base, hops: [] }, { self: few, hops: [] }, 60).filter((s) => !s.weak)).toEqual([]);
    // Two calls of a rare operation since the fault, each 50× the slowest normal one.
    const rare = samples(10, () => ({ key: 'pay', service: 'pay', valueMs: 10 }));
    const [strong] = latencyShifts({ self: rare, hops: [] }, { self: samples(2, () => ({ key: 'pay', service: 'pay', valueMs: 500 })), hops: [] }, 2);
    expect(strong).toMatchObject({ service: 'pay' });
    expect(latencyShifts({ self: rare, hops: [] }, { self: samples(2, () => ({ key: 'pay', service: 'pay', valueMs: 20 })), hops: [] }, 2)).toEqual([]);
  });

  it('charges a hop to a starved entry service whose own time slowed only in its tail', () => {
    // web (the entry) calls ads and cart; only the wait on ads grew, ads' own time did not; web's own work has a slow tail.
    const self = (webMs: (k: number) => number) => [
      ...samples(60, (k) => ({ key: 'web', service: 'web', valueMs: webMs(k) })),
      ...samples(60, (k) => ({ key: 'ads', service: 'ads', valueMs: 3 + wobble(k) })),
    ];
    const hops = (adsMs: number) => [
      ...samples(60, (k) => ({ key: 'ads', service: 'ads', caller: 'web', valueMs: adsMs + wobble(k) })),
      ...samples(60, (k) => ({ key: 'cart', service: 'cart', caller: 'web', valueMs: 2 + wobble(k) })),
    ];
    const steady = (k: number) => 1 + wobble(k);
    const shifts = latencyShifts({ self: self(steady), hops: hops(2) }, { self: self((k) => (k % 2 ? 300 : steady(k))), hops: hops(30) }, 60);
    expect(shifts[0]).toMatchObject({ service: 'web' });
    expect(shifts.find((s) => s.service === 'ads' && !s.weak)).toBeUndefined();
    // The same wait with web's own time steady is ads' (the callee's) by default.
    const calm = latencyShifts({ self: self(steady), hops: hops(2) }, { self: self(steady), hops: hops(30) }, 60);
    expect(calm[0]).toMatchObject({ service: 'ads' });
  });
});
