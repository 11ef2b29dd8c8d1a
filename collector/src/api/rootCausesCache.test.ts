import { describe, expect, it } from 'vitest';
import { AnswerCache, type WindowRange } from './rootCausesCache.js';

interface Inc {
  startMs: number;
  endMs: number;
}

/** A cache over a counting computation whose answers say which call made them. */
function counting() {
  const calls: { range: WindowRange; nowMs: number; resolve: () => void }[] = [];
  const cache = new AnswerCache<Inc, { incidents: Inc[]; call: number }>(
    (range, nowMs) =>
      new Promise((resolve) => {
        const call = calls.length;
        calls.push({ range, nowMs, resolve: () => resolve({ incidents: [{ startMs: 100, endMs: 200 }, { startMs: 5_000, endMs: 6_000 }], call }) });
      }),
    { staleMs: 5_000, refreshAfterMs: 1_000 },
  );
  return { cache, calls };
}

describe('AnswerCache', () => {
  it('shares one computation between concurrent requests for nearby windows', async () => {
    const { cache, calls } = counting();
    const a = cache.get({ fromMs: 0, toMs: 10_000 }, 10_000);
    const b = cache.get({ fromMs: 3, toMs: 10_003 }, 10_003);
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    expect((await a).call).toBe(0);
    expect((await b).call).toBe(0);
  });

  it('serves a nearby answer trimmed to the window asked, and refreshes it in the background once old', async () => {
    const { cache, calls } = counting();
    const first = cache.get({ fromMs: 0, toMs: 10_000 }, 10_000);
    calls[0]!.resolve();
    await first;
    const near = await cache.get({ fromMs: 300, toMs: 10_300 }, 10_300);
    expect(near.call).toBe(0);
    expect(near.incidents).toEqual([{ startMs: 5_000, endMs: 6_000 }]);
    expect(calls).toHaveLength(1);
    // 1.5 s later the answer is still served, and a fresh one is under way for the next request.
    expect((await cache.get({ fromMs: 1_500, toMs: 11_500 }, 11_500)).call).toBe(0);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.range).toEqual({ fromMs: 1_500, toMs: 11_500 });
    calls[1]!.resolve();
    await new Promise((r) => setImmediate(r));
    expect((await cache.get({ fromMs: 1_600, toMs: 11_600 }, 11_600)).call).toBe(1);
  });

  it('computes afresh past the staleness bound, for a distant window, and after a failure', async () => {
    let fail = true;
    let n = 0;
    const cache = new AnswerCache<Inc, { incidents: Inc[]; n: number }>(async () => {
      n++;
      if (fail) throw new Error('store closed');
      return { incidents: [], n };
    }, { staleMs: 5_000 });
    await expect(cache.get({ fromMs: 0, toMs: 10_000 }, 10_000)).rejects.toThrow('store closed');
    fail = false;
    expect((await cache.get({ fromMs: 0, toMs: 10_000 }, 10_000)).n).toBe(2);
    expect((await cache.get({ fromMs: 0, toMs: 10_000 }, 10_500)).n).toBe(2);
    expect((await cache.get({ fromMs: 0, toMs: 10_000 }, 15_001)).n).toBe(3);
    expect((await cache.get({ fromMs: 0, toMs: 60_000 }, 15_002)).n).toBe(4);
  });

  it('never serves one scope\'s answer for another', async () => {
    const cache = new AnswerCache<Inc, { incidents: Inc[]; scope: string }>(async (_r, _now, scope) => ({ incidents: [], scope }));
    expect((await cache.get({ fromMs: 0, toMs: 10_000 }, 10_000, 'shop')).scope).toBe('shop');
    expect((await cache.get({ fromMs: 0, toMs: 10_000 }, 10_000, 'billing')).scope).toBe('billing');
    expect((await cache.get({ fromMs: 1, toMs: 10_001 }, 10_001)).scope).toBe('');
  });
});
