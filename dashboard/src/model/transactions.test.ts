import { describe, expect, it } from 'vitest';
import type { TransactionDetail, TransactionSummary } from '../api/types.js';
import { alertTitle, sortAlerts, summarizeAlerts } from './alerts.js';
import { groupTransactions, transactionTimeline } from './transactions.js';

const tx = (id: string, state: TransactionSummary['state'], startedMs: number, updatedMs = startedMs): TransactionSummary => ({ id, type: 'order', state, startedMs, updatedMs, ageMs: updatedMs - startedMs, step: null, services: ['orders'], traceIds: [] });

describe('groupTransactions', () => {
  it.each([
    ['running', 'inFlight'],
    ['stuck', 'stuck'],
    ['compensating', 'compensating'],
    ['completed', 'finished'],
    ['compensated', 'finished'],
    ['failed', 'finished'],
  ] as const)('puts a %s transaction in %s', (state, group) => {
    const g = groupTransactions([tx('a', state, 1000)], 5000);
    expect(g[group].map((r) => r.id)).toEqual(['a']);
    expect(g[group][0]!.ageMs).toBe(4000);
  });

  it('sorts active groups oldest first and does not mutate its input', () => {
    const input = [tx('young', 'stuck', 3000), tx('old', 'stuck', 1000)];
    const copy = JSON.stringify(input);
    expect(groupTransactions(input, 5000).stuck.map((r) => r.id)).toEqual(['old', 'young']);
    expect(JSON.stringify(input)).toBe(copy);
  });
});

describe('transactionTimeline', () => {
  const detail = (state: TransactionSummary['state'], steps: TransactionDetail['steps']): TransactionDetail => ({ ...tx('t', state, 1000, 1300), steps });
  it('lays steps out on the transaction extent', () => {
    const t = transactionTimeline(detail('completed', [
      { name: 'b', service: 'payments', state: 'succeeded', startMs: 1200, endMs: 1300, traceId: 'x' },
      { name: 'a', service: 'inventory', state: 'succeeded', startMs: 1000, endMs: 1100, traceId: 'x' },
    ]), 9999).result;
    expect(t.startMs).toBe(1000);
    expect(t.endMs).toBe(1300);
    expect(t.rows.map((r) => [r.name, Math.round(r.leftPct), Math.round(r.widthPct)])).toEqual([['a', 0, 33], ['b', 67, 33]]);
  });
  it('runs an unfinished step of a live transaction to now', () => {
    const t = transactionTimeline(detail('stuck', [{ name: 'a', service: 'payments', state: 'running', startMs: 1000, endMs: null, traceId: 'x' }]), 2000).result;
    expect(t.endMs).toBe(2000);
    expect(Math.round(t.rows[0]!.widthPct)).toBe(100);
  });
  it('warns instead of throwing on a step that ends before it starts', () => {
    expect(transactionTimeline(detail('completed', [{ name: 'a', service: 's', state: 'succeeded', startMs: 1200, endMs: 1100, traceId: 'x' }]), 0).warnings).toHaveLength(1);
  });
});

describe('alerts', () => {
  const alert = (id: string, severity: string, state: 'firing' | 'resolved', startsAt: number, labels: Record<string, string> = {}) => ({ id, rule: 'R', severity, state, startsAt, labels, annotations: {}, updatedAt: startsAt });
  it('lists firing alerts first, critical first, then oldest', () => {
    const sorted = sortAlerts([alert('w', 'warning', 'firing', 1), alert('r', 'critical', 'resolved', 0), alert('c2', 'critical', 'firing', 5), alert('c1', 'critical', 'firing', 2)]);
    expect(sorted.map((a) => a.id)).toEqual(['c1', 'c2', 'w', 'r']);
    expect(summarizeAlerts(sorted)).toMatchObject({ firing: 3, critical: 2, top: { id: 'c1' } });
  });
  it.each([
    [{ service: 'orders', server: 'inventory' }, 'R orders → inventory'],
    [{ type: 'order' }, 'R order'],
    [{}, 'R'],
  ])('titles an alert with labels %o as %s', (labels, title) => {
    expect(alertTitle(alert('a', 'warning', 'firing', 0, labels))).toBe(title);
  });
});
