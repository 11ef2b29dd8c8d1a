import { describe, expect, it } from 'vitest';
import { escapeLabelValue, formatValue, leSeconds, renderFamilies } from './exposition.js';
import { SeriesBudget } from './SeriesBudget.js';

describe('Prometheus text exposition', () => {
  it.each([
    ['plain', 'plain'],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['line\nbreak', 'line\\nbreak'],
  ])('escapes the label value %j', (raw, escaped) => expect(escapeLabelValue(raw)).toBe(escaped));

  it.each([
    [0.25, '0.00025'],
    [1, '0.001'],
    [1500, '1.5'],
    [120000, '120'],
  ])('writes the %d ms bound as le="%s"', (ms, le) => expect(leSeconds(ms)).toBe(le));

  it('renders HELP, TYPE and samples, and special values', () => {
    const text = renderFamilies([{ name: 'x_total', type: 'counter', help: 'X.\nmore', samples: [{ labels: { service: 'a"b' }, value: 3 }, { suffix: '_extra', labels: {}, value: Infinity }] }]);
    expect(text).toBe('# HELP x_total X.\\nmore\n# TYPE x_total counter\nx_total{service="a\\"b"} 3\nx_total_extra +Inf\n');
    expect(formatValue(NaN)).toBe('NaN');
  });
});

describe('SeriesBudget', () => {
  it('admits label sets while they fit, reserving the other series, and counts each folded one once', () => {
    const b = new SeriesBudget(30, { node: { cost: 10 } });
    expect(b.admit('node', 'a')).toBe(true);
    expect(b.admit('node', 'b')).toBe(true);
    expect(b.admit('node', 'c')).toBe(false); // 10 reserved for "other"
    expect(b.admit('node', 'c')).toBe(false);
    expect(b.admit('node', 'a')).toBe(true); // sticky
    expect(b.droppedTotal).toBe(1);
    expect(b.seriesUsed).toBe(30);
  });

  it('refuses a cap below the reserved series', () => {
    expect(() => new SeriesBudget(5, { node: { cost: 10 } })).toThrow(/at least 10/);
  });
});
