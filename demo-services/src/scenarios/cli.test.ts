import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from './cliArgs.js';

describe('scenario CLI arguments', () => {
  it('applies the defaults', () => {
    expect(parseArgs(['inventory-down'])).toEqual({ list: false, name: 'inventory-down', mode: 'resilient', durationS: 20, rps: 10, seed: 1, json: false, verbose: false });
  });

  it('reads every option, with spaces or =', () => {
    expect(parseArgs(['payments-down', '--mode', 'naive', '--duration=5', '--rps', '2.5', '--seed', '7', '--json'])).toMatchObject({
      name: 'payments-down',
      mode: 'naive',
      durationS: 5,
      rps: 2.5,
      seed: 7,
      json: true,
    });
    expect(parseArgs(['--list']).list).toBe(true);
  });

  it.each([
    [['x', '--mode', 'chaotic'], /mode must be naive or resilient/],
    [['x', '--duration', '-1'], /--duration needs a positive number/],
    [['x', '--rps'], /--rps needs a positive number/],
    [['x', '--seed', '1.5'], /--seed needs a non-negative integer/],
    [['x', '--bogus'], /unknown option --bogus/],
    [['a', 'b'], /one scenario at a time/],
    [[], /name a scenario, or --list/],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
