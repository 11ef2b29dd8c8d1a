import { describe, expect, it } from 'vitest';
import { deepFreeze } from './fixtures/span.js';
import { observe } from './histogram.js';
import { serviceAnswers } from './serviceAnswers.js';
import { buildGraph, type GraphInput } from './serviceGraph.js';
import { emptyStats, type Stats } from './stats.js';
import { windowClock } from './windowFigures.js';

const M = 60_000;
function stats(requests: number, errors = 0, ms = 10): Stats {
  const s = emptyStats();
  s.requests = requests;
  s.errors = errors;
  for (let i = 0; i < requests; i++) observe(s.histogram, ms);
  return s;
}

describe('windowClock', () => {
  it.each([
    { name: 'whole minutes', minutes: [0, 2 * M], toMs: 10 * M, seconds: 120, current: 2 * M },
    { name: 'the window ends inside a minute', minutes: [0, M], toMs: M + 30_000, seconds: 90, current: 0 },
    { name: 'no minute is complete yet', minutes: [5 * M], toMs: 5 * M + 10_000, seconds: 10, current: null },
    { name: 'nothing reported', minutes: [], toMs: 3 * M + 1, seconds: 0, current: null },
  ])('$name', ({ minutes, toMs, seconds, current }) => {
    const clock = windowClock(minutes, toMs);
    expect(clock.dataSeconds).toBe(seconds);
    expect(clock.currentMinuteMs).toBe(current);
    expect(clock.reportedMinuteMs).toBe(current ?? Math.floor(toMs / M) * M - M);
  });
});

describe('current figures and callers', () => {
  // Minute 0 and 1 healthy; in minute 2 `stock` sends nothing and its callers fail.
  const input: GraphInput = deepFreeze({
    nodes: [
      { service: 'shop', bucketMs: 0, stats: stats(60) },
      { service: 'shop', bucketMs: M, stats: stats(60) },
      { service: 'shop', bucketMs: 2 * M, stats: stats(60, 30) },
      { service: 'stock', bucketMs: 0, stats: stats(60) },
      { service: 'stock', bucketMs: M, stats: stats(60) },
      { service: 'shop', bucketMs: 2 * M, stats: emptyStats(), background: 4, backgroundErrors: 1 },
    ],
    edges: [
      { source: 'shop', target: 'stock', bucketMs: 0, stats: stats(60) },
      { source: 'shop', target: 'stock', bucketMs: M, stats: stats(60) },
      { source: 'shop', target: 'stock', bucketMs: 2 * M, stats: { ...stats(60, 60), timeouts: 20, shortCircuits: 40 } },
    ],
    knownServices: new Set(['shop', 'stock']),
  });

  it('rates over the minutes holding data, current figures of the last complete one, incoming as callers saw it', () => {
    const g = buildGraph(input, 3 * M + 5000);
    const shop = g.nodes.find((n) => n.id === 'shop')!;
    expect(shop.requestsPerSec).toBe(1);
    expect(shop.current).toMatchObject({ requestsPerSec: 1, errors: 30, errorRate: 0.5, minuteStartMs: 2 * M });
    expect(shop.background).toBe(4);
    const stock = g.nodes.find((n) => n.id === 'stock')!;
    expect(stock.current).toMatchObject({ requestsPerSec: 0, errors: 0 });
    expect(stock.incoming).toMatchObject({ requests: 180, errors: 60, shortCircuits: 40, timeouts: 20, current: { requestsPerSec: 1, errorRate: 1 } });
    expect(g.edges[0]!.current).toMatchObject({ errors: 60, errorRate: 1, minuteStartMs: 2 * M });
  });

  it('gives each service its callers and its background work', () => {
    const [shop, stock] = serviceAnswers(input, 3 * M + 5000);
    expect(shop).toMatchObject({ name: 'shop', requests: 180, background: 4, backgroundErrors: 1, callers: [] });
    expect(stock).toMatchObject({ name: 'stock', requests: 120, current: { requestsPerSec: 0 } });
    expect(stock!.callers).toEqual([expect.objectContaining({ service: 'shop', requests: 180, errors: 60, timeouts: 20, shortCircuits: 40, current: expect.objectContaining({ errorRate: 1 }) })]);
  });

  it('lists a known service that only its callers saw, with zero figures of its own', () => {
    const answers = serviceAnswers({ nodes: [], edges: [{ source: 'shop', target: 'stock', bucketMs: 0, stats: stats(5, 5) }], knownServices: new Set(['shop', 'stock']) }, M);
    expect(answers.map((a) => [a.name, a.requests, a.seenByCallers.errors])).toEqual([['stock', 0, 5]]);
    expect(serviceAnswers({ nodes: [], edges: [{ source: 'shop', target: 'db.internal', bucketMs: 0, stats: stats(5) }], knownServices: new Set(['shop']) }, M)).toEqual([]);
  });
});
