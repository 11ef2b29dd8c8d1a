import { formatPerSec } from './figures.js';
import { describe, expect, it } from 'vitest';
import { formatDateTime, formatMs, formatPct, formatTime, serviceColor } from './format.js';

describe.each([
  [0.5, '0.50 ms'],
  [5.25, '5.3 ms'],
  [250.4, '250 ms'],
  [1500, '1.50 s'],
  [15_000, '15.0 s'],
  [120_000, '2.0 min'],
  [Number.NaN, '–'],
])('formatMs(%d)', (ms, text) => it(`is ${text}`, () => expect(formatMs(ms)).toBe(text)));

describe.each([
  [0, '0%'],
  [0.0005, '<0.1%'],
  [0.05, '5.0%'],
  [0.5, '50%'],
  [1, '100%'],
])('formatPct(%d)', (r, text) => it(`is ${text}`, () => expect(formatPct(r)).toBe(text)));

describe.each<[number | null, string]>([
  [0, '0/s'],
  [0.05, '3.0/min'],
  [1, '1.0/s'],
  [100, '100/s'],
  [null, '–'],
])('formatPerSec(%s)', (n, text) => it(`is ${text}`, () => expect(formatPerSec(n)).toBe(text)));

describe('time and colour', () => {
  it('formats UTC times', () => {
    expect(formatTime(3_600_000 + 61_000)).toBe('01:01:01');
    expect(formatDateTime(0)).toBe('1970-01-01 00:00:00 UTC');
  });
  it('gives each service a stable colour', () => {
    expect(serviceColor('orders')).toBe(serviceColor('orders'));
    expect(serviceColor('orders')).toMatch(/^#[0-9a-f]{6}$/);
    const distinct = new Set(['gateway', 'orders', 'payments', 'inventory', 'shipping'].map(serviceColor));
    expect(distinct.size).toBeGreaterThan(2);
  });
});
