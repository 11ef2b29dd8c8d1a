import { describe, expect, it } from 'vitest';
import { cascade } from './fixtures/graphs.js';
import { formatPathParam, highlightPath, parsePathParam } from './pathHighlight.js';

describe.each<[string, string[], string[], string[], number]>([
  ['cause to entry point', ['inventory', 'orders', 'gateway'], ['inventory', 'orders', 'gateway'], ['orders→inventory', 'gateway→orders'], 0],
  ['written caller-first', ['gateway', 'orders'], ['gateway', 'orders'], ['gateway→orders'], 0],
  ['single service', ['payments'], ['payments'], [], 0],
  ['empty', [], [], [], 0],
  ['unknown service', ['ghost', 'orders'], ['orders'], [], 2],
  ['missing edge', ['payments', 'gateway'], ['payments', 'gateway'], [], 1],
])('highlightPath: %s', (_name, path, nodes, edges, warningCount) => {
  it('lights up the path nodes and the edges between them', () => {
    const snapshot = structuredClone(cascade);
    const pathCopy = [...path];
    const { result, warnings } = highlightPath(cascade, path);
    expect([...result.nodes].sort()).toEqual([...nodes].sort());
    expect([...result.edges].sort()).toEqual([...edges].sort());
    expect(result.hops).toHaveLength(Math.max(0, path.length - 1));
    expect(warnings).toHaveLength(warningCount);
    expect(cascade).toEqual(snapshot);
    expect(path).toEqual(pathCopy);
  });
});

describe.each<[string | null, string[]]>([
  [null, []],
  ['', []],
  ['inventory>orders>gateway', ['inventory', 'orders', 'gateway']],
  [' a > >b ', ['a', 'b']],
])('parsePathParam(%j)', (value, path) => {
  it('parses and round-trips', () => {
    expect(parsePathParam(value)).toEqual(path);
    expect(parsePathParam(formatPathParam(path))).toEqual(path);
  });
});
