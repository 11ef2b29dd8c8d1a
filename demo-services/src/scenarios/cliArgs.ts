import { parseMode, type Mode } from '../lib/config.js';

export interface CliArgs {
  list: boolean;
  name?: string;
  mode: Mode;
  durationS: number;
  rps: number;
  seed: number;
  json: boolean;
  verbose: boolean;
}

export class UsageError extends Error {}

function positive(flag: string, raw: string | undefined, integer: boolean): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} needs a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { list: false, mode: 'resilient', durationS: 20, rps: 10, seed: 1, json: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--list':
        args.list = true;
        break;
      case '--json':
        args.json = true;
        break;
      case '--verbose':
        args.verbose = true;
        break;
      case '--mode':
        try {
          args.mode = parseMode(value() ?? 'missing');
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        break;
      case '--duration':
        args.durationS = positive('--duration', value(), false);
        break;
      case '--rps':
        args.rps = positive('--rps', value(), false);
        break;
      case '--seed': {
        const raw = value();
        const seed = Number(raw);
        if (raw === undefined || !Number.isInteger(seed) || seed < 0) throw new UsageError('--seed needs a non-negative integer');
        args.seed = seed;
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        if (args.name) throw new UsageError(`one scenario at a time (got ${args.name} and ${a})`);
        args.name = a;
    }
  }
  if (!args.list && !args.name) throw new UsageError('name a scenario, or --list');
  return args;
}
