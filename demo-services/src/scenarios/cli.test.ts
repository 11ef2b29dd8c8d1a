import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
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

describe('scenario CLI process', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--conditions=@faultline/source', '--import', 'tsx', join(import.meta.dirname, 'cli.ts'), ...args], { encoding: 'utf8', timeout: 60_000 });

  it('--list prints the nine scenarios, one line each', () => {
    const r = cli('--list');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['payments-down', 'inventory-down', 'inventory-slow', 'retry-storm', 'late-success', 'notifications-flapping', 'traffic-spike', 'big-bang-migration', 'strangler-migration']);
  });

  it('exits 2 with usage for bad arguments or an unknown scenario', () => {
    const bad = cli('inventory-down', '--mode', 'sideways');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage: pnpm scenario');
    const unknown = cli('no-such-scenario', '--duration', '1');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown scenario');
  });
});
