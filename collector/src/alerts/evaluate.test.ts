import { describe, expect, it } from 'vitest';
import { emptyStats, observe, type Stats } from '../analysis/index.js';
import { AlertState } from './AlertState.js';
import { evaluateRules, type EvaluationInput } from './evaluate.js';
import { builtInRules } from './rules.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 30);
const MIN = 60_000;

function stats(requests: number, errors: number, ms = 10, extra: Partial<Stats> = {}): Stats {
  const s = emptyStats();
  s.requests = requests;
  s.errors = errors;
  observe(s.histogram, ms, requests);
  return { ...s, ...extra };
}

function input(partial: Partial<EvaluationInput>): EvaluationInput {
  return { nowMs: NOW, entry: [], edgesByWindow: new Map(), breakers: [], stuck: [], violations: [], ...partial };
}

const rules = builtInRules();
const rule = (name: string) => rules.filter((r) => r.name === name);

describe('evaluateRules', () => {
  const baseline = Array.from({ length: 20 }, (_, i) => ({ startMs: NOW - (i + 3) * MIN, stats: stats(100, 1, 20) }));

  it.each([
    ['an entry point failing far above its baseline', 'EntryErrorRate', stats(100, 30), 1],
    ['an entry point at its usual error rate', 'EntryErrorRate', stats(100, 1), 0],
    ['too few requests to judge', 'EntryErrorRate', stats(5, 5), 0],
    ['an entry point whose p99 jumped', 'EntryLatency', stats(100, 0, 3000), 1],
    ['an entry point as fast as usual', 'EntryLatency', stats(100, 0, 20), 0],
  ])('%s', (_name, ruleName, current, expected) => {
    const conditions = evaluateRules(rule(ruleName), input({ entry: [{ service: 'gateway', points: [...baseline, { startMs: NOW - 30_000, stats: current }] }] }));
    expect(conditions).toHaveLength(expected);
    if (expected) expect(conditions[0]!.labels).toEqual({ service: 'gateway' });
  });

  it('names the failing dependency in the server label', () => {
    const edges = new Map([[60_000, [{ source: 'orders', target: 'inventory', stats: stats(20, 0, 10, { timeouts: 12 }) }, { source: 'orders', target: 'payments', stats: stats(20, 0) }]]]);
    const c = evaluateRules(rule('DependencyFailing'), input({ edgesByWindow: edges }));
    expect(c.map((x) => x.labels)).toEqual([{ service: 'orders', server: 'inventory' }]);
    expect(c[0]!.summary).toContain('12 timeouts');
  });

  it('fires ConsistencyViolation per reporting service with the order ids, only within the window', () => {
    const violations = [
      { timeMs: NOW - 1000, service: 'orders', kind: 'charged_without_reservation', txId: 'o-2' },
      { timeMs: NOW - 2000, service: 'orders', kind: 'reserved_without_payment', txId: 'o-1' },
      { timeMs: NOW - 3 * MIN, service: 'orders', kind: 'stuck', txId: 'o-old' },
    ];
    const [c] = evaluateRules(rule('ConsistencyViolation'), input({ violations }));
    expect(c!.ids).toEqual(['o-1', 'o-2']);
    expect(c!.summary).toContain('o-1, o-2');
  });

  it('fires BreakerOpen per open breaker and TransactionsStuck per type', () => {
    const c = evaluateRules([...rule('BreakerOpen'), ...rule('TransactionsStuck')], input({
      breakers: [{ service: 'orders', breaker: 'payments', target: 'payments', state: 'open' }, { service: 'orders', breaker: 'x', target: 'x', state: 'closed' }],
      stuck: [{ type: 'order', count: 2, ids: ['a', 'b'] }],
    }));
    expect(c.map((x) => x.labels)).toEqual([{ service: 'orders', breaker: 'payments', target: 'payments' }, { type: 'order' }]);
  });

  it('does not mutate its input', () => {
    const i = input({ violations: [{ timeMs: NOW, service: 's', kind: 'k', txId: 't' }] });
    const copy = JSON.stringify(i.violations);
    evaluateRules(rules, i);
    expect(JSON.stringify(i.violations)).toBe(copy);
  });
});

describe('AlertState', () => {
  const [errorRule] = rule('EntryErrorRate');
  const cond = { rule: errorRule!, labels: { service: 'gateway' }, value: 0.3, summary: 's' };
  const annotate = () => ({ summary: 's', root_cause: 'r', path: 'p', dashboard_url: 'u' });

  it('fires only after the condition held for `for`, resolves when it stops, keeps one id per label set', () => {
    const state = new AlertState();
    expect(state.update([cond], 0, annotate).fired).toHaveLength(0);
    expect(state.update([cond], errorRule!.forMs - 1, annotate).fired).toHaveLength(0);
    const { fired } = state.update([cond], errorRule!.forMs, annotate);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.labels).toEqual({ alertname: 'EntryErrorRate', severity: 'critical', service: 'gateway' });
    expect(fired[0]!.startsAt).toBe(0);
    const { resolved } = state.update([], errorRule!.forMs + 5000, annotate);
    expect(resolved.map((a) => a.id)).toEqual([fired[0]!.id]);
    expect(resolved[0]!.endsAt).toBe(errorRule!.forMs + 5000);
    state.update([cond], 100_000, annotate);
    const again = state.update([cond], 100_000 + errorRule!.forMs, annotate).fired[0]!;
    expect(again.id).toBe(fired[0]!.id);
    expect(state.list()).toHaveLength(1);
  });

  it('forgets a pending condition that stops before `for`', () => {
    const state = new AlertState();
    state.update([cond], 0, annotate);
    state.update([], 1000, annotate);
    expect(state.update([cond], errorRule!.forMs, annotate).fired).toHaveLength(0);
  });
});
