// Entry of `pnpm bench` for the SDK: every benchmark file runs in its own
// process (so one cannot warm up or slow down another). The overhead
// benchmark runs last so that its headline is the last line printed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = ['messaging.ts', 'overheadAttached.ts', 'overhead.ts'].filter((f) => existsSync(join(here, f)));
const failed: string[] = [];
for (const file of files) {
  console.log(`\n--- sdk bench ${file}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], { stdio: 'inherit', env: process.env, timeout: 120_000 });
  if (r.status !== 0) failed.push(file);
}
if (failed.length) {
  console.error(`sdk benchmarks failed: ${failed.join(', ')}`);
  process.exit(1);
}
