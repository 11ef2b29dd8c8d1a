import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../model.js';
import { TransactionTracker, TRANSACTIONS_MAX } from './TransactionTracker.js';

let n = 0;
function spanWith(events: [name: string, step: string | undefined, timeMs: number][], id = 'o-1', service = 'orders'): SpanRecord {
  n++;
  return {
    traceId: 'a'.repeat(32), spanId: n.toString(16).padStart(16, '0'), parentSpanId: '', service, name: 'saga', kind: 'internal',
    startMs: 0, endMs: 1, durationMs: 1, status: 'unset', statusMessage: '', attributes: {}, resource: {}, links: [],
    events: events.map(([name, step, timeMs]) => ({ name, timeMs, attributes: { 'faultline.tx.id': id, 'faultline.tx.type': 'order', ...(step ? { 'faultline.tx.step': step } : {}) } })),
  };
}

describe('TransactionTracker', () => {
  it.each([
    ['a started step', [['tx.step.started', 'a', 1]], 'running'],
    ['a compensation', [['tx.step.failed', 'a', 1], ['tx.compensation.started', 'a', 2]], 'compensating'],
    ['completed', [['tx.step.started', 'a', 1], ['tx.completed', undefined, 2]], 'completed'],
    ['compensated', [['tx.compensation.started', 'a', 1], ['tx.compensated', undefined, 2]], 'compensated'],
    ['failed', [['tx.failed', undefined, 1]], 'failed'],
    ['a final state that arrived before the steps', [['tx.completed', undefined, 9], ['tx.step.started', 'a', 1]], 'completed'],
  ] as const)('%s → %s', (_name, events, state) => {
    const t = new TransactionTracker(60_000);
    // Each event in its own span and batch, in the listed (arrival) order.
    for (const e of events) t.observe([spanWith([e as [string, string | undefined, number]])]);
    expect(t.stateOf(t.get('o-1')!, 10)).toBe(state);
  });

  it('is stuck when running without progress for stuckMs, and ignores a re-sent span', () => {
    const t = new TransactionTracker(1000);
    const s = spanWith([['tx.step.started', 'a', 100]]);
    t.observe([s]);
    t.observe([s]);
    expect(t.get('o-1')!.steps).toHaveLength(1);
    expect(t.stateOf(t.get('o-1')!, 1100)).toBe('running');
    expect(t.stateOf(t.get('o-1')!, 1101)).toBe('stuck');
    expect(t.stuck(1101)).toEqual([{ type: 'order', count: 1, ids: ['o-1'] }]);
    expect(t.counts(1101)).toEqual([{ type: 'order', state: 'stuck', count: 1 }]);
  });

  it('ignores events without a transaction id', () => {
    const t = new TransactionTracker(1000);
    const s = spanWith([['tx.step.started', 'a', 1]]);
    s.events[0]!.attributes = {};
    t.observe([s]);
    expect(t.list({ fromMs: 0, toMs: 10, limit: 10 }, 10)).toEqual([]);
  });

  it(`forgets finished transactions first past ${TRANSACTIONS_MAX}`, () => {
    const t = new TransactionTracker(1e12);
    t.observe([spanWith([['tx.step.started', 'a', 0]], 'keep-running')]);
    const batch: SpanRecord[] = [];
    for (let i = 0; i < TRANSACTIONS_MAX; i++) batch.push(spanWith([['tx.completed', undefined, i + 1]], `done-${i}`));
    t.observe(batch);
    expect(t.get('keep-running')).toBeDefined();
    expect(t.get('done-0')).toBeUndefined();
    expect(t.counts(0).reduce((a, c) => a + c.count, 0)).toBeLessThanOrEqual(TRANSACTIONS_MAX);
  });
});
