import { parseArgs, UsageError, type CliArgs } from './cliArgs.js';
import { SCENARIOS } from './catalog.js';
import { brokeInvariants, formatReport } from './report.js';
import { runScenario, UnknownScenarioError } from './runner.js';

const USAGE = `usage: pnpm scenario <name> [--mode naive|resilient] [--duration S] [--rps N] [--seed N] [--json] [--verbose]
       pnpm scenario --list`;

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
