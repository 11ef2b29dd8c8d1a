// The dashboard build the collector serves: built when missing or older than its sources.
// `node scripts/dashboard-build.mjs` builds if needed; `--ship <dir>` also copies it into <dir>
// (the collector package ships it as collector/dashboard/).
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isStale } from './freshness.mjs';

const root = resolve(import.meta.dirname, '..');
const dashboard = join(root, 'dashboard');
const built = join(dashboard, 'dist', 'index.html');

export function dashboardIsStale() {
  return isStale(built, ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(dashboard, p)));
}

export function ensureDashboard() {
  if (!dashboardIsStale()) return;
  console.error('building the dashboard (missing or older than its sources)…');
  const r = spawnSync('pnpm', ['--filter', '@faultline/dashboard', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error('dashboard build failed');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureDashboard();
  const at = process.argv.indexOf('--ship');
  if (at > 0) {
    const target = resolve(process.argv[at + 1] ?? '');
    rmSync(target, { recursive: true, force: true });
    cpSync(join(dashboard, 'dist'), target, { recursive: true });
    console.error(`dashboard copied to ${target}`);
  }
}
