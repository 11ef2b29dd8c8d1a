import { describe, expect, it } from 'vitest';
import type { Run } from '../api/types.js';
import { parseRun, RUN_NAME_MAX_CHARS, runOptions, writeRun } from './run.js';

const run = (namespace: string, lastMs: number): Run => ({ namespace, firstMs: lastMs - 120_000, lastMs, requests: 10 });

describe('parseRun', () => {
  it.each([
    ['', null, 0],
    ['run=', null, 0],
    ['run=%20%20', null, 0],
    ['run=inventory-down-7', 'inventory-down-7', 0],
    ['run=%20demo%20', 'demo', 0],
    ['range=1h&run=a%2Fb%20c', 'a/b c', 0],
    [`run=${'x'.repeat(RUN_NAME_MAX_CHARS)}`, 'x'.repeat(RUN_NAME_MAX_CHARS), 0],
    [`run=${'x'.repeat(RUN_NAME_MAX_CHARS + 1)}`, null, 1],
  ])('%s → %s', (query, expected, warningCount) => {
    const { result, warnings } = parseRun(new URLSearchParams(query));
    expect(result).toBe(expected);
    expect(warnings).toHaveLength(warningCount);
  });
});

describe('writeRun', () => {
  it('sets the run and keeps the other params', () => {
    const out = writeRun(new URLSearchParams('range=1h&service=orders'), 'checkout-2');
    expect(out.toString()).toBe('range=1h&service=orders&run=checkout-2');
  });
  it.each([null, '', '   '])('all runs (%j) removes the param', (value) => {
    expect(writeRun(new URLSearchParams('run=old&range=1h'), value).toString()).toBe('range=1h');
  });
  it('round-trips through parseRun, including characters that need escaping', () => {
    for (const name of ['demo', 'scenario inventory-down #3', 'a&b=c']) expect(parseRun(writeRun(new URLSearchParams(), name)).result).toBe(name);
  });
  it('does not mutate its input', () => {
    const params = new URLSearchParams('run=a');
    writeRun(params, 'b');
    expect(params.toString()).toBe('run=a');
  });
});

describe('runOptions', () => {
  const runs = [run('newest', 3_000_000), run('older', 2_000_000)];
  it('lists the window runs in the collector order', () => {
    expect(runOptions(runs, null)).toEqual([
      { namespace: 'newest', inWindow: true },
      { namespace: 'older', inWindow: true },
    ]);
    expect(runOptions(runs, 'older').map((o) => o.namespace)).toEqual(['newest', 'older']);
  });
  it('keeps a selected run the window does not hold, first and marked', () => {
    expect(runOptions(runs, 'gone')).toEqual([{ namespace: 'gone', inWindow: false }, ...runOptions(runs, null)]);
  });
  it('is empty (selector hidden) with no runs and no selection', () => {
    expect(runOptions([], null)).toEqual([]);
    expect(runOptions([], 'x')).toEqual([{ namespace: 'x', inWindow: false }]);
  });
  it('does not mutate its input', () => {
    const copy = structuredClone(runs);
    runOptions(runs, 'gone');
    expect(runs).toEqual(copy);
  });
});
