// The bench's naive baseline and scoring on tiny synthetic traces.
import { describe, expect, it } from 'vitest';
import { naiveBaseline, selfTimeSamples } from '../../bench/rca/naiveBaseline.js';
import { accuracy, pickIncident, randomAccuracy, rankOf } from '../../bench/rca/scoring.js';
import type { SpanRecord } from '../../src/model.js';

let nextId = 1;
function span(p: Partial<SpanRecord> & { traceId: string; service: string; startMs: number; durationMs: number }): SpanRecord {
  const spanId = (nextId++).toString(16).padStart(16, '0');
  return {
    spanId,
    parentSpanId: '',
    name: 'op',
    kind: 'internal',
    endMs: p.startMs + p.durationMs,
    status: 'unset',
    statusMessage: '',
    attributes: {},
    resource: {},
    events: [],
    links: [],
    ...p,
  };
}

/** frontend SERVER → frontend CLIENT → backend SERVER, with the given backend self-time and network gap. */
function trace(i: number, startMs: number, backendMs: number, gapMs: number): SpanRecord[] {
  const traceId = i.toString(16).padStart(32, '0');
  const total = 2 + gapMs + backendMs;
  const root = span({ traceId, service: 'frontend', name: 'GET /', kind: 'server', startMs, durationMs: total });
  const client = span({ traceId, service: 'frontend', name: 'GET backend', kind: 'client', parentSpanId: root.spanId, startMs: startMs + 1, durationMs: gapMs + backendMs });
  const server = span({ traceId, service: 'backend', name: 'GET /item', kind: 'server', parentSpanId: client.spanId, startMs: startMs + 1 + gapMs / 2, durationMs: backendMs });
  return [root, client, server];
}

const jitter = (i: number) => (i % 3) * 0.5;

describe('naiveBaseline', () => {
  it('charges the client→server gap to the callee and the rest to self-time', () => {
    const samples = selfTimeSamples(trace(1, 0, 10, 4));
    expect(samples).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'frontend', operation: 'GET /', selfMs: 2 }),
        expect.objectContaining({ service: 'backend', operation: 'gap frontend:GET backend', selfMs: 4 }),
        expect.objectContaining({ service: 'backend', operation: 'GET /item', selfMs: 10 }),
      ]),
    );
  });

  it('ranks the service whose self-time grew after the split first', () => {
    const spans = [
      ...Array.from({ length: 20 }, (_, i) => trace(i, i * 100, 10 + jitter(i), 2)).flat(),
      ...Array.from({ length: 10 }, (_, i) => trace(100 + i, 5_000 + i * 100, 40 + jitter(i), 2)).flat(),
    ];
    const frozen = Object.freeze(spans.map((s) => Object.freeze(s)));
    const ranked = naiveBaseline(frozen, { splitMs: 5_000 });
    expect(ranked.map((r) => r.service)).toEqual(['backend', 'frontend']);
    expect(ranked[0]).toMatchObject({ operation: 'GET /item' });
    expect(ranked[0]!.z).toBeGreaterThan(10);
  });

  it('blames the callee for a slower hop even though the caller measured it', () => {
    const spans = [
      ...Array.from({ length: 20 }, (_, i) => trace(i, i * 100, 10 + jitter(i), 2 + jitter(i))).flat(),
      ...Array.from({ length: 10 }, (_, i) => trace(100 + i, 5_000 + i * 100, 10 + jitter(i), 50)).flat(),
    ];
    const ranked = naiveBaseline(spans, { splitMs: 5_000 });
    expect(ranked[0]).toMatchObject({ service: 'backend', operation: 'gap frontend:GET backend' });
  });

  it('scores nothing without a baseline (every z is 0)', () => {
    const ranked = naiveBaseline(trace(1, 5_000, 10, 2), { splitMs: 0 });
    expect(ranked.every((r) => r.z === 0)).toBe(true);
  });
});

describe('scoring', () => {
  it('merges repeats of a service; the best rank counts', () => {
    expect(rankOf(['a', 'a', 'b', 'c'], 'b')).toBe(2);
    expect(rankOf(['a'], 'z')).toBeNull();
  });

  it('computes AC@k and Avg@5', () => {
    const a = accuracy([1, 3, null, 6]);
    expect(a.acAt).toEqual([0.25, 0.25, 0.5, 0.5, 0.5]);
    expect(a.avg5).toBeCloseTo(0.4);
  });

  it('expects k/n of random order', () => {
    expect(randomAccuracy([10, 4]).acAt[0]).toBeCloseTo((0.1 + 0.25) / 2);
    expect(randomAccuracy([2]).acAt[2]).toBe(1);
  });

  it('picks the incident around the injection, else the next one after it', () => {
    const incidents = [
      { startMs: 0, endMs: 50 },
      { startMs: 200, endMs: 300 },
      { startMs: 120, endMs: 150 },
    ];
    expect(pickIncident(incidents, 40)).toBe(incidents[0]);
    expect(pickIncident(incidents, 100)).toBe(incidents[2]);
    expect(pickIncident(incidents, 400)).toBeNull();
  });
});
