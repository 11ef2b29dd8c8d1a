// prepack of @faultline/sdk and @faultline/collector (npm pack, pnpm pack, publish): the
// tarball ships dist/ (and the collector's dashboard/), so they are rebuilt here when missing or
// older than what they are built from. package.json `exports` already name dist/ for every
// consumer; the workspace reaches src/ only through the "@faultline/source" condition.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardIsStale } from './dashboard-build.mjs';
import { builtMs, isStale } from './freshness.mjs';

const pkgDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

const inputs = [join(pkgDir, 'src'), ...['tsconfig.json', '../tsconfig.base.json'].map((f) => join(pkgDir, f))];
const reasons = [];
if (isStale(join(pkgDir, 'dist', 'esm', 'index.js'), inputs) || !existsSync(join(pkgDir, 'dist', 'cjs', 'index.js'))) reasons.push('dist/ missing or older than src/');
if (pkg.files?.includes('dashboard')) {
  const shipped = join(pkgDir, 'dashboard', 'index.html');
  const repository = join(pkgDir, '..', 'dashboard', 'dist', 'index.html');
  if (dashboardIsStale() || builtMs(shipped) < builtMs(repository)) reasons.push('dashboard/ missing or older than the dashboard sources');
}
if (reasons.length > 0) {
  console.error(`prepack ${pkg.name}: building (${reasons.join('; ')})`);
  // The package manager that is packing (npm or pnpm) runs the package's own build script.
  // npm_execpath is its script (npm, pnpm under corepack) or a standalone binary (@pnpm/exe).
  const execPath = process.env.npm_execpath;
  const r = !execPath
    ? spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
    : /\.[cm]?js$/.test(execPath)
      ? spawnSync(process.execPath, [execPath, 'run', 'build'], { stdio: 'inherit' })
      : spawnSync(execPath, ['run', 'build'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
