#!/usr/bin/env node
// Runs every package's `bench` script in turn (they share 2 cores, so never in
// parallel), then prints a table of the figures written to bench/results/*.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const results = join(root, 'bench', 'results');
mkdirSync(results, { recursive: true });

const packages = ['sdk', 'collector', 'dashboard', 'demo-services'];
const failed = [];
for (const pkg of packages) {
  const manifest = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8'));
  if (!manifest.scripts?.bench) continue;
  console.log(`\n=== bench ${pkg}`);
  const r = spawnSync('pnpm', ['run', 'bench'], { cwd: join(root, pkg), stdio: 'inherit', env: process.env });
  if (r.status !== 0) failed.push(pkg);
}

// Flatten every numeric leaf of each result file into `file  path  value` rows.
function rows(prefix, value, out) {
  if (typeof value === 'number') out.push([prefix, Number.isInteger(value) ? String(value) : value.toFixed(3)]);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) rows(prefix ? `${prefix}.${k}` : k, v, out);
  }
  return out;
}

console.log('\n=== results (bench/results/*.json)');
for (const file of readdirSync(results).filter((f) => f.endsWith('.json')).sort()) {
  let data;
  try {
    data = JSON.parse(readFileSync(join(results, file), 'utf8'));
  } catch {
    console.log(`${file}: unreadable`);
    continue;
  }
  const table = rows('', data, []);
  const width = Math.max(10, ...table.map(([k]) => k.length));
  console.log(`\n${file}`);
  for (const [k, v] of table.slice(0, 80)) console.log(`  ${k.padEnd(width)}  ${v}`);
  if (table.length > 80) console.log(`  … ${table.length - 80} more figures in the file`);
  // A file's own summary lines (e.g. rca.json's accuracy tables) say more than its first 80 figures.
  if (Array.isArray(data.summary) && data.summary.every((l) => typeof l === 'string')) {
    for (const line of data.summary) console.log(`  | ${line}`);
  }
}
if (failed.length) {
  console.log(`\nbenchmarks failed: ${failed.join(', ')}`);
  process.exit(1);
}
if (!existsSync(results)) process.exit(1);
