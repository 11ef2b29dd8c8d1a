import { describe, expect, it } from 'vitest';
import { classifyHealth, DEFAULT_THRESHOLDS, legendEntries } from './health.js';

describe.each([
  [{ requests: 0, errors: 0 }, 'idle'],
  [{ requests: 0, errors: 3 }, 'failing'],
  [{ requests: 10_000, errors: 0 }, 'healthy'],
  [{ requests: 10_000, errors: 9 }, 'healthy'],
  [{ requests: 10_000, errors: 10 }, 'degraded'],
  [{ requests: 100, errors: 9 }, 'degraded'],
  [{ requests: 100, errors: 10 }, 'failing'],
  [{ requests: 100, errors: 100 }, 'failing'],
  [{ requests: 100, errors: 0, errorRate: 0.5 }, 'failing'],
])('classifyHealth(%j)', (stats, expected) => {
  it(`is ${expected}`, () => {
    const copy = { ...stats };
    expect(classifyHealth(stats)).toBe(expected);
    expect(stats).toEqual(copy);
  });
});

describe('thresholds', () => {
  it('are configurable', () => {
    expect(classifyHealth({ requests: 100, errors: 5 }, { degradedErrorRate: 0.01, failingErrorRate: 0.05 })).toBe('failing');
  });
  it('are stated in the legend', () => {
    const text = legendEntries(DEFAULT_THRESHOLDS).map((e) => e.text).join(' | ');
    expect(text).toContain('degraded: errors ≥ 0.1%');
    expect(text).toContain('failing: errors ≥ 10%');
  });
});
