import { describe, expect, it } from 'vitest';
import { DEFAULT_RANGE, describeRange, formatDuration, parseDuration, parseTimeRange, resolveWindow, writeTimeRange } from './timeRange.js';

describe('parseDuration', () => {
  describe.each([
    ['5m', 300_000],
    ['90s', 90_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['0m', null],
    ['5', null],
    ['m', null],
    ['-5m', null],
    ['31d', null],
    ['1.5h', null],
  ])('%s', (text, expected) => {
    it(`is ${expected}`, () => expect(parseDuration(text)).toBe(expected));
  });
});

describe.each([
  [300_000, '5m'],
  [3_600_000, '1h'],
  [90_000, '90s'],
  [86_400_000, '1d'],
  [1500, '2s'],
])('formatDuration(%d)', (ms, text) => {
  it(`is ${text}`, () => expect(formatDuration(ms)).toBe(text));
});

describe('parseTimeRange', () => {
  describe.each([
    ['', DEFAULT_RANGE, 0],
    ['range=1h', { kind: 'relative', durationMs: 3_600_000, label: '1h' }, 0],
    ['range=bogus', DEFAULT_RANGE, 1],
    ['from=1000&to=2000', { kind: 'absolute', fromMs: 1000, toMs: 2000 }, 0],
    ['from=2000&to=1000', DEFAULT_RANGE, 1],
    ['from=abc&to=1000', DEFAULT_RANGE, 1],
    ['from=1000&to=2000&range=1h', { kind: 'absolute', fromMs: 1000, toMs: 2000 }, 0],
  ])('"%s"', (query, expected, warningCount) => {
    it('parses with the expected warnings', () => {
      const { result, warnings } = parseTimeRange(new URLSearchParams(query));
      expect(result).toEqual(expected);
      expect(warnings).toHaveLength(warningCount);
    });
  });

  it('round-trips through writeTimeRange', () => {
    for (const range of [
      { kind: 'relative' as const, durationMs: 3_600_000, label: '1h' },
      { kind: 'absolute' as const, fromMs: 5, toMs: 10 },
      DEFAULT_RANGE,
    ]) {
      expect(parseTimeRange(writeTimeRange(new URLSearchParams('x=1'), range)).result).toEqual(range);
    }
  });

  it('keeps other params and does not mutate the input', () => {
    const input = new URLSearchParams('node=a&range=5m');
    const out = writeTimeRange(input, { kind: 'absolute', fromMs: 1, toMs: 2 });
    expect(input.toString()).toBe('node=a&range=5m');
    expect(out.get('node')).toBe('a');
    expect(out.get('range')).toBeNull();
  });
});

describe('resolveWindow', () => {
  it('anchors relative ranges at now', () => {
    expect(resolveWindow({ kind: 'relative', durationMs: 1000, label: '1s' }, 5000)).toEqual({ fromMs: 4000, toMs: 5000 });
  });
  it('keeps absolute windows', () => {
    expect(resolveWindow({ kind: 'absolute', fromMs: 1, toMs: 2 }, 5000)).toEqual({ fromMs: 1, toMs: 2 });
  });
  it('describes both kinds', () => {
    expect(describeRange(DEFAULT_RANGE)).toBe('last 15m');
    expect(describeRange({ kind: 'absolute', fromMs: 0, toMs: 60_000 })).toBe('1970-01-01 00:00:00 → 1970-01-01 00:01:00 UTC');
  });
});

import { parseRefresh } from './timeRange.js';

describe.each<[string | null, string, number | null]>([
  [null, '15s', 15_000],
  ['off', 'off', null],
  ['5s', '5s', 5000],
  ['1m', '1m', 60_000],
  ['junk', '15s', 15_000],
])('parseRefresh(%j)', (value, label, periodMs) => {
  it(`is ${label}`, () => expect(parseRefresh(value)).toEqual({ label, periodMs }));
});
