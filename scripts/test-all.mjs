#!/usr/bin/env node
// Runs the type check and every package's test suites, then prints one
// `N passed, N failed, N skipped` line totalled over all of them. Each runner
// writes a JSON report that is read back, so the totals come from the runners
// themselves rather than from scraping their console output.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const reports = join(root, 'node_modules', '.faultline-test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

function run(label, cmd, args, cwd) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: process.env });
  console.log(`=== ${label}: exit ${result.status ?? result.signal} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.status === 0;
}

function typecheck(pkg) {
  const ok = run(`${pkg} typecheck`, 'pnpm', ['exec', 'tsc', '-p', 'tsconfig.json'], join(root, pkg));
  if (ok) totals.passed += 1;
  else {
    totals.failed += 1;
    problems.push(`${pkg}: type check failed`);
  }
}

function vitest(pkg) {
  const out = join(reports, `${pkg}-vitest.json`);
  const ok = run(`${pkg} vitest`, 'pnpm', ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`], join(root, pkg));
  if (!existsSync(out)) {
    totals.failed += 1;
    problems.push(`${pkg}: vitest produced no report`);
    return;
  }
  const r = JSON.parse(readFileSync(out, 'utf8'));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + r.numTodoTests;
  // A suite that fails to load (syntax error, missing module) has no tests to count.
  const brokenSuites = (r.testResults ?? []).filter((s) => s.status === 'failed' && s.assertionResults.length === 0);
  totals.failed += brokenSuites.length;
  for (const s of brokenSuites) problems.push(`${pkg}: suite failed to run: ${s.name}`);
  if (!ok && r.numFailedTests === 0 && brokenSuites.length === 0) {
    totals.failed += 1;
    problems.push(`${pkg}: vitest exited non-zero`);
  }
}

const packages = ['sdk', 'collector', 'dashboard', 'demo-services'];
const only = process.argv.slice(2);
const selected = only.length ? packages.filter((p) => only.includes(p)) : packages;

for (const pkg of selected) typecheck(pkg);
// The collector serves the built dashboard, and browser tests load it from there.
if (selected.includes('dashboard')) {
  if (!run('dashboard build', 'pnpm', ['--filter', '@faultline/dashboard', 'build'], root)) {
    totals.failed += 1;
    problems.push('dashboard: build failed');
  }
}
for (const pkg of selected) {
  if (existsSync(join(root, pkg, 'vitest.config.ts'))) vitest(pkg);
  if (existsSync(join(root, pkg, 'playwright.config.ts'))) {
    const out = join(reports, `${pkg}-playwright.json`);
    const started = Date.now();
    console.log(`\n=== ${pkg} playwright`);
    const result = spawnSync('pnpm', ['exec', 'playwright', 'test', '--reporter=list,json'], {
      cwd: join(root, pkg),
      stdio: 'inherit',
      env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out },
    });
    console.log(`=== ${pkg} playwright: exit ${result.status ?? result.signal} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (!existsSync(out)) {
      totals.failed += 1;
      problems.push(`${pkg}: playwright produced no report`);
      continue;
    }
    const s = JSON.parse(readFileSync(out, 'utf8')).stats ?? {};
    totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
    totals.failed += s.unexpected ?? 0;
    totals.skipped += s.skipped ?? 0;
    if (result.status !== 0 && !s.unexpected) {
      totals.failed += 1;
      problems.push(`${pkg}: playwright exited non-zero`);
    }
  }
}

// The published build: suites that import a package through its entry point run again with that
// entry point swapped for dist/esm (scripts/vitest-dist.mjs); sdk/test/packed.test.ts covers the
// packed tarballs themselves.
const distSuites = {
  sdk: ['src/http/policies.test.ts', 'src/http/client.test.ts', 'src/http/middleware.test.ts', 'src/http/middlewareFrameworks.test.ts', 'src/chaos/chaos.test.ts'],
  collector: ['test/interop.test.ts', 'test/auth.test.ts'],
};
const distSelected = selected.filter((p) => p in distSuites);
if (distSelected.length) {
  if (!run('build packages', 'pnpm', ['build:packages'], root)) {
    totals.failed += 1;
    problems.push('build:packages failed');
  } else {
    for (const pkg of distSelected) {
      const out = join(reports, `${pkg}-dist-vitest.json`);
      console.log(`\n=== ${pkg} vitest on dist/: ${distSuites[pkg].join(' ')}`);
      const started = Date.now();
      const result = spawnSync('pnpm', ['exec', 'vitest', 'run', ...distSuites[pkg], '--reporter=default', '--reporter=json', `--outputFile=${out}`], {
        cwd: join(root, pkg),
        stdio: 'inherit',
        env: { ...process.env, FAULTLINE_TEST_DIST: '1' },
      });
      console.log(`=== ${pkg} vitest on dist/: exit ${result.status ?? result.signal} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (!existsSync(out)) {
        totals.failed += 1;
        problems.push(`${pkg}: vitest on dist/ produced no report`);
        continue;
      }
      const r = JSON.parse(readFileSync(out, 'utf8'));
      totals.passed += r.numPassedTests;
      totals.failed += r.numFailedTests;
      totals.skipped += r.numPendingTests + r.numTodoTests;
      if (result.status !== 0 && r.numFailedTests === 0) {
        totals.failed += 1;
        problems.push(`${pkg}: vitest on dist/ exited non-zero`);
      }
    }
  }
}

if (problems.length) {
  console.log('\nProblems:');
  for (const p of problems) console.log(`  - ${p}`);
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
