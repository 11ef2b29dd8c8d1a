import { describe, expect, it } from 'vitest';
import { criticalPath, sectionsBySpan } from './criticalPath.js';
import { span } from './fixtures/spans.js';

type Row = [id: string, parent: string, startMs: number, endMs: number];
const spans = (rows: Row[]) => rows.map(([id, parent, start, end]) => span(id, parent, 'svc', start, end - start));

describe.each<[string, Row[], [string, number, number][], number]>([
  ['one span', [['r', '', 0, 100]], [['r', 0, 100]], 0],
  ['sequential children', [['r', '', 0, 100], ['a', 'r', 10, 40], ['b', 'r', 50, 90]], [['r', 90, 100], ['b', 50, 90], ['r', 40, 50], ['a', 10, 40], ['r', 0, 10]], 0],
  ['parallel children: the one that finished last', [['r', '', 0, 100], ['a', 'r', 10, 80], ['b', 'r', 20, 60]], [['r', 80, 100], ['a', 10, 80], ['r', 0, 10]], 0],
  ['overlapping children: only one that ended before the later started (as in Jaeger)', [['r', '', 0, 100], ['a', 'r', 10, 60], ['b', 'r', 50, 90]], [['r', 90, 100], ['b', 50, 90], ['r', 0, 50]], 0],
  ['a child that outlives its parent is clipped', [['r', '', 0, 50], ['a', 'r', 40, 120]], [['a', 40, 50], ['r', 0, 40]], 0],
  ['a child that starts after its parent ended is off the path', [['r', '', 0, 50], ['a', 'r', 60, 70]], [['r', 0, 50]], 0],
  ['client and server span of one call', [['r', '', 0, 100], ['c', 'r', 0, 100], ['s', 'c', 10, 90]], [['c', 90, 100], ['s', 10, 90], ['c', 0, 10]], 0],
  ['two roots: the longest', [['r', '', 0, 100], ['q', '', 0, 30]], [['r', 0, 100]], 1],
  ['a span whose parent is missing counts as a root', [['r', '', 0, 100], ['o', 'gone', 0, 10]], [['r', 0, 100]], 1],
  ['no spans', [], [], 0],
])('criticalPath: %s', (_name, rows, expected, warningCount) => {
  it('walks back from the root end through the last-finishing children', () => {
    const input = spans(rows);
    const snapshot = structuredClone(input);
    const { result, warnings } = criticalPath(input);
    expect(result.map((s) => [s.spanId, s.startMs, s.endMs])).toEqual(expected);
    expect(warnings).toHaveLength(warningCount);
    expect(input).toEqual(snapshot);
  });
  it('covers the root span once, without overlaps', () => {
    const { result } = criticalPath(spans(rows));
    const sorted = [...result].sort((a, b) => a.startMs - b.startMs);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.startMs).toBeGreaterThanOrEqual(sorted[i - 1]!.endMs);
  });
});

it('handles a 5,000-span chain without overflowing the stack', () => {
  const rows: Row[] = Array.from({ length: 5000 }, (_, i) => [`s${i}`, i === 0 ? '' : `s${i - 1}`, i, 10_000 - i]);
  const { result } = criticalPath(spans(rows));
  expect(result[0]).toEqual({ spanId: 's0', startMs: 9999, endMs: 10_000 });
  expect(result.filter((s) => s.spanId === 's4999')).toEqual([{ spanId: 's4999', startMs: 4999, endMs: 5001 }]);
});

it('sectionsBySpan groups sections by span', () => {
  const m = sectionsBySpan(criticalPath(spans([['r', '', 0, 100], ['a', 'r', 10, 40]])).result);
  expect(m.get('r')).toHaveLength(2);
  expect(m.get('a')).toEqual([{ spanId: 'a', startMs: 10, endMs: 40 }]);
});
