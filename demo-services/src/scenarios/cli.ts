import { parseMode, type Mode } from '../lib/config.js';
import { SCENARIOS } from './catalog.js';
import { brokeInvariants, formatReport } from './report.js';
import { runScenario, UnknownScenarioError } from './runner.js';

const USAGE = `usage: pnpm scenario <name> [--mode naive|resilient] [--duration S] [--rps N] [--seed N] [--json] [--verbose]
       pnpm scenario --list`;

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

async function main(): Promise<number> {
  let args: CliArgs;
  try {
    // pnpm passes a literal `--` through when users write `pnpm scenario -- name`.
    args = parseArgs(process.argv.slice(2).filter((a) => a !== '--'));
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.message) console.error(err.message);
      console.error(USAGE);
      return err.message ? 2 : 0;
    }
    throw err;
  }
  if (args.list) {
    const width = Math.max(...SCENARIOS.map((s) => s.name.length));
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(width)}  ${s.description}`);
    return 0;
  }
  const controller = new AbortController();
  const log = (line: string): void => console.error(`[scenario] ${line}`);
  try {
    const report = await runScenario({
      scenario: args.name!,
      mode: args.mode,
      durationS: args.durationS,
      rps: args.rps,
      seed: args.seed,
      log,
      ...(args.verbose ? { onServiceLine: (s: string, l: string) => console.error(`[${s}] ${l}`) } : {}),
    });
    if (args.json) console.log(JSON.stringify(report));
    else console.log(formatReport(report));
    controller.abort();
    return report.mode === 'resilient' && brokeInvariants(report.invariants) ? 1 : 0;
  } catch (err) {
    if (err instanceof UnknownScenarioError) {
      console.error(err.message);
      return 2;
    }
    console.error(`scenario failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 3;
  }
}

// Services notice a vanished supervisor and stop themselves (see lib/service.ts).
process.once("SIGINT", () => process.exit(130));
process.once("SIGTERM", () => process.exit(143));
process.exitCode = await main();
