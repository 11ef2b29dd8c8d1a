// Where the collector's own files are: it runs from src/ in the repository (tsx) and from
// dist/esm or dist/cjs once packed, with proto/ and the built dashboard at the package root.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** True under tsx from the sources, false when running the built dist/. */
export const FROM_SOURCE = basename(here) === 'src';
export const PACKAGE_ROOT = FROM_SOURCE ? resolve(here, '..') : resolve(here, '..', '..');
/** File extension of the collector's own modules at run time (worker entries). */
export const MODULE_EXT = FROM_SOURCE ? '.ts' : '.js';

/**
 * Run from the sources, the repository's dashboard build (a copy left by an earlier pack may be
 * stale); run from dist/, the dashboard shipped in the package.
 */
export function defaultDashboardDir(): string {
  const shipped = join(PACKAGE_ROOT, 'dashboard');
  const repository = resolve(PACKAGE_ROOT, '..', 'dashboard', 'dist');
  if (FROM_SOURCE && existsSync(join(repository, 'index.html'))) return repository;
  if (existsSync(join(shipped, 'index.html'))) return shipped;
  return repository;
}
