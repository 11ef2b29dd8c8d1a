#!/usr/bin/env node
// Builds one workspace package (run from its directory) into dist/:
//   dist/esm  ES modules + .d.ts (tsc, the package's own strictness)
//   dist/cjs  CommonJS (esbuild, one output file per source file) + the same .d.ts,
//             under a package.json that says "commonjs" so both Node and TypeScript read it so.
// Tests and the bench are left out; non-TypeScript files of src/ (worker bootstraps) are copied.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { transform } from 'esbuild';
import { readFile } from 'node:fs/promises';

const pkgDir = process.cwd();
const src = join(pkgDir, 'src');
const dist = join(pkgDir, 'dist');
const started = Date.now();

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name === 'examples' || name === 'testing' || name === 'fixtures') continue;
      out.push(...sources(path));
    } else out.push(path);
  }
  return out;
}
const isTest = (p) => /\.test\.ts$/.test(p);
const files = sources(src).filter((p) => !isTest(p));

rmSync(dist, { recursive: true, force: true });

// 1. ESM and declarations with tsc.
const tsconfig = join(pkgDir, 'tsconfig.build.json');
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: './tsconfig.json',
    compilerOptions: { noEmit: false, declaration: true, declarationMap: false, sourceMap: false, rootDir: 'src', outDir: 'dist/esm' },
    include: files.filter((p) => p.endsWith('.ts')).map((p) => relative(pkgDir, p)),
  }),
);
const tsc = resolve(pkgDir, '..', 'node_modules', '.bin', 'tsc');
const r = spawnSync(tsc, ['-p', tsconfig], { stdio: 'inherit' });
rmSync(tsconfig, { force: true });
if (r.status !== 0) {
  console.error(`build: tsc failed in ${pkgDir}`);
  process.exit(1);
}

// 2. CommonJS with esbuild; import.meta.url becomes the file's own URL.
const banner = 'const __faultlineImportMetaUrl = require("node:url").pathToFileURL(__filename).href;';
for (const file of files) {
  const rel = relative(src, file);
  // The command-line entry (top-level await) is ESM only: `bin` points at dist/esm.
  if (rel === 'cli.ts') continue;
  if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
    const code = await readFile(file, 'utf8');
    const out = await transform(code, {
      loader: 'ts',
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcefile: file,
      define: { 'import.meta.url': '__faultlineImportMetaUrl', 'import.meta.dirname': '__dirname' },
      banner: code.includes('import.meta') ? banner : '',
    });
    const target = join(dist, 'cjs', rel.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.code.replace(/^#!.*\n/, ''));
  } else {
    for (const flavour of ['esm', 'cjs']) {
      mkdirSync(dirname(join(dist, flavour, rel)), { recursive: true });
      cpSync(file, join(dist, flavour, rel));
    }
  }
}
// Same declarations for require(): in a "commonjs" folder TypeScript reads them as CJS.
for (const file of sources(join(dist, 'esm')).filter((p) => p.endsWith('.d.ts'))) {
  const target = join(dist, 'cjs', relative(join(dist, 'esm'), file));
  if (existsSync(dirname(target))) cpSync(file, target);
}
writeFileSync(join(dist, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
console.log(`build: ${relative(resolve(pkgDir, '..'), pkgDir)} → dist/esm + dist/cjs (${files.length} files) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
