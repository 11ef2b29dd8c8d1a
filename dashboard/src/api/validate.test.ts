import { describe, expect, it } from 'vitest';
import { collectorParsers as parse } from './collector.js';
import { ValidationError } from './validate.js';

const current = { requestsPerSec: 2, errors: 3, errorRate: 0.025, p95Ms: 40, minuteStartMs: 60_000 };
const figures = { requests: 10, errors: 1, errorRate: 0.1, p50Ms: 1, p95Ms: 2, p99Ms: 3, requestsPerSec: 0.5, current };
const node = { id: 'a', kind: 'service', ...figures, background: 0, seenByCallers: false, incoming: null };
const edge = { source: 'a', target: 'b', ...figures, retries: 2, timeouts: 0, shortCircuits: 1 };

describe('graph answers', () => {
  it('pass through with their current figures, and the input is not mutated', () => {
    const input = { nodes: [node], edges: [edge] };
    const snapshot = structuredClone(input);
    expect(parse.graph(input)).toEqual(input);
    expect(input).toEqual(snapshot);
  });
  describe.each([
    [null, 'graph'],
    [{ nodes: [] }, 'graph.edges'],
    [{ nodes: [{ ...node, id: 1 }], edges: [] }, 'graph.nodes[0].id'],
    [{ nodes: [{ ...node, current: undefined }], edges: [] }, 'graph.nodes[0].current'],
    [{ nodes: [], edges: [{ ...edge, shortCircuits: 'x' }] }, 'graph.edges[0].shortCircuits'],
  ])('rejects %j', (input, path) => {
    it(`naming ${path}`, () => {
      expect(() => parse.graph(input)).toThrow(ValidationError);
      expect(() => parse.graph(input)).toThrow(path);
    });
  });
});

describe('other answers', () => {
  it('series, breakers and annotations', () => {
    const point = { startMs: 0, requests: 120, errors: 6, errorRate: 0.05, p50Ms: 3, p95Ms: 9, p99Ms: 12, retries: 1, timeouts: 0, shortCircuits: 2 };
    expect(parse.series({ stepMs: 60_000, points: [point] }).points[0]).toEqual(point);
    expect(() => parse.series({ points: [] })).toThrow('series.stepMs');
    expect(parse.breakers([{ service: 'orders', breaker: 'inventory', target: 'inventory', transitions: [{ timeMs: 1, from: 'closed', to: 'open' }] }])[0]!.transitions).toHaveLength(1);
    expect(() => parse.breakers([{ service: 'orders', breaker: 'inventory', target: 'inventory', transitions: [{ timeMs: 1, from: 'closed', to: 'ajar' }] }])).toThrow('breakers[0].transitions[0].to');
    expect(parse.annotations([{ id: '7', timeMs: 5, kind: 'fault', service: 'inventory', text: 'inventory down', attributes: {} }])[0]).toMatchObject({ id: '7', kind: 'fault' });
  });
  it('config: a control URL or null, nothing else', () => {
    expect(parse.config({ controlUrl: null })).toEqual({ controlUrl: null });
    expect(parse.config({ controlUrl: 'http://127.0.0.1:4320' })).toEqual({ controlUrl: 'http://127.0.0.1:4320' });
    expect(() => parse.config({})).toThrow('config.controlUrl');
  });
  it('transactions reject an unknown state', () => {
    const tx = { id: 'o1', type: 'order', state: 'running', startedMs: 1, updatedMs: 2, ageMs: 1, step: null, services: ['orders'], traceIds: [] };
    expect(parse.transactions([tx])).toEqual([tx]);
    expect(() => parse.transactions([{ ...tx, state: 'lost' }])).toThrow('transactions[0].state');
    expect(() => parse.transaction({ ...tx, steps: [{ name: 's', service: 'orders', state: 'done', startMs: 1, endMs: null, traceId: 't' }] })).toThrow('transaction.steps[0].state');
  });
});
