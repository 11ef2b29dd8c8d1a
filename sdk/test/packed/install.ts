// Packs @faultline/sdk and @faultline/collector with npm pack, and installs both tarballs with npm
// into an empty temporary project, as a new user would. The project lives under
// node_modules/.cache and is reused by later runs: better-sqlite3 compiles from source when no
// prebuilt binary can be fetched, which takes minutes, so only changed tarballs are reinstalled.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const sdkDir = resolve(import.meta.dirname, '..', '..');
const root = resolve(sdkDir, '..');
const cacheRoot = join(root, 'node_modules', '.cache', 'faultline-packed');

export interface PackedProject {
  dir: string;
  sdkTarball: string;
  collectorTarball: string;
  seconds: { build: number; install: number };
}

function log(line: string): void {
  process.stderr.write(`[packed] ${line}\n`);
}

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
}

/** The version the workspace has installed, so the temp project tests what the repo tests. */
function installedVersion(pkg: string): string {
  return (JSON.parse(readFileSync(join(sdkDir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

function rootVersion(pkg: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

export function devVersions(): Record<string, string> {
  return {
    express: installedVersion('express'),
    express4: `npm:express@${installedVersion('express4')}`,
    '@types/express': installedVersion('@types/express'),
    '@opentelemetry/sdk-node': installedVersion('@opentelemetry/sdk-node'),
    '@opentelemetry/auto-instrumentations-node': installedVersion('@opentelemetry/auto-instrumentations-node'),
    typescript: rootVersion('typescript'),
    '@types/node': rootVersion('@types/node'),
  };
}

export function packAndInstall(): PackedProject {
  const t0 = Date.now();
  // npm pack, as a user or a publish would: each package's prepack rebuilds dist/ (and the
  // collector's dashboard/) when they are missing or older than their sources.
  log('npm pack of @faultline/sdk and @faultline/collector (prepack builds dist/ and the dashboard when stale)…');
  const packs = join(cacheRoot, 'tarballs');
  rmSync(packs, { recursive: true, force: true });
  mkdirSync(packs, { recursive: true });
  for (const pkg of ['sdk', 'collector']) run('npm', ['pack', '--pack-destination', packs], join(root, pkg));
  const tarballs = readdirSync(packs).map((f) => join(packs, f));
  const sdkTarball = tarballs.find((f) => f.includes('faultline-sdk-'));
  const collectorTarball = tarballs.find((f) => f.includes('faultline-collector-'));
  if (!sdkTarball || !collectorTarball) throw new Error(`npm pack produced ${tarballs.join(', ')}`);
  const build = (Date.now() - t0) / 1000;
  log(`packed in ${build.toFixed(1)} s`);

  const deps = devVersions();
  // The project is keyed by its third-party dependencies; new tarballs are installed into it
  // incrementally, so better-sqlite3 compiles once, not on every source change.
  const dir = join(cacheRoot, `app-${createHash('sha256').update(JSON.stringify(deps)).digest('hex').slice(0, 16)}`);
  const hash = createHash('sha256');
  for (const f of [sdkTarball, collectorTarball]) hash.update(readFileSync(f));
  const tarballsHash = hash.digest('hex');
  const marker = join(dir, '.installed');
  const t1 = Date.now();
  if (existsSync(marker) && readFileSync(marker, 'utf8') === tarballsHash) {
    log(`reusing the install at ${dir}`);
  } else {
    if (!existsSync(dir)) {
      for (const old of existsSync(cacheRoot) ? readdirSync(cacheRoot).filter((f) => f.startsWith('app-')) : []) rmSync(join(cacheRoot, old), { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'faultline-packed-app', version: '1.0.0', private: true }));
      log('npm install into an empty project: both tarballs, express 4 and 5, sdk-node + auto-instrumentations (better-sqlite3 compiles from source: about 2 minutes)…');
    } else log('npm install of the new tarballs into the cached project…');
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', sdkTarball, collectorTarball, ...Object.entries(deps).map(([n, v]) => `${n}@${v}`)], dir);
    writeFileSync(marker, tarballsHash);
  }
  const install = (Date.now() - t1) / 1000;
  log(`install ready in ${install.toFixed(1)} s`);
  return { dir, sdkTarball, collectorTarball, seconds: { build, install } };
}

/** `node_modules/.bin/<name>` of the temp project. */
export function binOf(project: PackedProject, name: string): string {
  return join(project.dir, 'node_modules', '.bin', name);
}

export function tscVersion(project: PackedProject): string {
  return execFileSync(binOf(project, 'tsc'), ['--version'], { encoding: 'utf8' }).trim();
}
