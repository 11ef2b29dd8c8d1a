// With FAULTLINE_TEST_DIST=1, a package's tests import its built dist/esm/index.js wherever they
// import src/index.ts: the same suites then check the published build instead of the sources.
// Run `pnpm build:packages` first; test-all.mjs does.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function distPlugins(pkgDir) {
  if (process.env.FAULTLINE_TEST_DIST !== '1') return [];
  const srcIndex = join(pkgDir, 'src', 'index.ts');
  const distIndex = join(pkgDir, 'dist', 'esm', 'index.js');
  if (!existsSync(distIndex)) throw new Error(`FAULTLINE_TEST_DIST=1 but ${distIndex} is missing: run pnpm build:packages`);
  return [
    {
      name: 'faultline-test-dist',
      enforce: 'pre',
      resolveId(source, importer) {
        if (!importer || !source.startsWith('.')) return null;
        const target = resolve(dirname(importer), source).replace(/\.js$/, '.ts');
        return target === srcIndex ? distIndex : null;
      },
    },
  ];
}
