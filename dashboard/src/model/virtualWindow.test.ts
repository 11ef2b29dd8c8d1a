import { describe, expect, it } from 'vitest';
import { computeVirtualWindow, scrollTopForRow, type VirtualWindowInput } from './virtualWindow.js';

describe.each<[string, VirtualWindowInput, { start: number; end: number; offsetPx: number; totalPx: number }]>([
  ['top of a long list', { scrollTopPx: 0, viewportPx: 100, rowHeightPx: 10, rowCount: 5000, overscanRows: 5 }, { start: 0, end: 16, offsetPx: 0, totalPx: 50_000 }],
  ['middle', { scrollTopPx: 1000, viewportPx: 100, rowHeightPx: 10, rowCount: 5000, overscanRows: 5 }, { start: 95, end: 116, offsetPx: 950, totalPx: 50_000 }],
  ['past the end', { scrollTopPx: 1e9, viewportPx: 100, rowHeightPx: 10, rowCount: 5000, overscanRows: 5 }, { start: 4985, end: 5000, offsetPx: 49_850, totalPx: 50_000 }],
  ['negative scroll', { scrollTopPx: -50, viewportPx: 100, rowHeightPx: 10, rowCount: 3, overscanRows: 5 }, { start: 0, end: 3, offsetPx: 0, totalPx: 30 }],
  ['empty', { scrollTopPx: 0, viewportPx: 100, rowHeightPx: 10, rowCount: 0 }, { start: 0, end: 0, offsetPx: 0, totalPx: 0 }],
  ['zero row height', { scrollTopPx: 0, viewportPx: 3, rowHeightPx: 0, rowCount: 10, overscanRows: 0 }, { start: 0, end: 4, offsetPx: 0, totalPx: 10 }],
])('computeVirtualWindow: %s', (_name, input, expected) => {
  it('renders only the rows near the viewport', () => {
    const copy = { ...input };
    expect(computeVirtualWindow(input)).toEqual(expected);
    expect(input).toEqual(copy);
  });
});

it('never renders more than viewport + overscan rows', () => {
  for (let top = 0; top < 60_000; top += 777) {
    const w = computeVirtualWindow({ scrollTopPx: top, viewportPx: 600, rowHeightPx: 24, rowCount: 5000, overscanRows: 10 });
    expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(600 / 24) + 1 + 20);
  }
});

describe.each([
  [0, 0],
  [100, 855],
  [4999, 49_700],
])('scrollTopForRow(%d)', (index, expected) => {
  it('centres the row, clamped to the list', () => expect(scrollTopForRow(index, 24, 600, 2100)).toBeLessThanOrEqual(2100 * 24));
  it(`is ${expected} for 5000 rows of 10px in 300px`, () => expect(scrollTopForRow(index, 10, 300, 5000)).toBe(expected));
});
