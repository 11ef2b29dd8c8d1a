import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtInRules, loadAlertRules, parseDurationMs, rulesFromObject } from './rules.js';

describe('alert rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('has the contract built-in rules when no file is set', () => {
    expect(loadAlertRules(null).map((r) => r.name)).toEqual(['EntryErrorRate', 'EntryLatency', 'DependencyFailing', 'BreakerOpen', 'TransactionsStuck', 'ConsistencyViolation']);
    expect(builtInRules().every((r) => r.severity && r.forMs >= 0)).toBe(true);
  });

  it('reads YAML and JSON files; a built-in name implies its kind and defaults', () => {
    const yaml = loadAlertRules(file('r.yaml', 'rules:\n  - name: DependencyFailing\n    for: 1m\n    threshold: 0.5\n  - name: SlowCheckout\n    kind: entry_latency\n    threshold: 800\n    severity: critical\n'));
    expect(yaml).toMatchObject([{ name: 'DependencyFailing', kind: 'dependency_failing', forMs: 60_000, threshold: 0.5, severity: 'critical' }, { name: 'SlowCheckout', kind: 'entry_latency', threshold: 800 }]);
    const json = loadAlertRules(file('r.json', JSON.stringify({ rules: [{ name: 'BreakerOpen', for: '10s' }] })));
    expect(json).toMatchObject([{ name: 'BreakerOpen', kind: 'breaker_open', forMs: 10_000 }]);
  });

  it.each([
    ['not a list', { rules: 3 }, 'rules: expected a list'],
    ['unknown kind', { rules: [{ name: 'X', kind: 'cpu' }] }, 'rules[0].kind: must be one of'],
    ['no kind for a custom name', { rules: [{ name: 'X' }] }, 'rules[0].kind: required'],
    ['bad duration', { rules: [{ name: 'BreakerOpen', for: 'soon' }] }, 'rules[0].for: must be a duration'],
    ['ratio over 1', { rules: [{ name: 'EntryErrorRate', threshold: 5 }] }, 'rules[0].threshold: must be a number from 0 to 1'],
    ['bad severity', { rules: [{ name: 'BreakerOpen', severity: 'page' }] }, 'rules[0].severity'],
    ['duplicate names', { rules: [{ name: 'BreakerOpen' }, { name: 'BreakerOpen' }] }, 'rules[1].name: duplicate'],
    ['unknown field', { rules: [{ name: 'BreakerOpen', treshold: 1 }] }, 'rules[0].treshold: unknown field'],
    ['reserved label', { rules: [{ name: 'BreakerOpen', labels: { severity: 'x' } }] }, 'rules[0].labels.severity'],
  ])('rejects %s with a message naming the field', (_name, doc, message) => {
    expect(() => rulesFromObject(doc, 'FAULTLINE_ALERT_RULES f')).toThrow(message);
  });

  it('names the file when it is missing or not parseable', () => {
    expect(() => loadAlertRules(join(dir, 'nope.yaml'))).toThrow(/FAULTLINE_ALERT_RULES .*nope\.yaml: cannot be read: ENOENT/);
    expect(() => loadAlertRules(file('bad.yaml', 'rules: [\n'))).toThrow(/bad\.yaml: not valid YAML/);
    expect(() => loadAlertRules(file('bad.json', '{'))).toThrow(/bad\.json: not valid JSON/);
  });

  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['250ms', 250],
    [0, 0],
    ['x', null],
    [-1, null],
  ])('parses duration %s', (raw, ms) => expect(parseDurationMs(raw)).toBe(ms));
});
