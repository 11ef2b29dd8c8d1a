// The workspace runs its packages from their TypeScript sources: each package.json `exports`
// entry lists "@faultline/source" (→ src/*.ts) before its dist/ targets, and everything that runs
// in the repository turns that condition on. A consumer of the published tarball never does, so
// it gets dist/. Turned on in: tsconfig.base.json (customConditions), every vite/vitest config
// (below), and `node --conditions=@faultline/source --import tsx` wherever sources are run.
export const SOURCE_CONDITION = '@faultline/source';
export const SOURCE_NODE_ARGS = [`--conditions=${SOURCE_CONDITION}`, '--import', 'tsx'];

// A `conditions` list replaces the defaults rather than extending them, so they are restated:
// vite's for the browser build, vitest's for tests (vite's server list without "module", which
// would pick bundler-only builds that Node cannot load). Vitest also passes these to its workers
// as `--conditions`.
const BROWSER_DEFAULTS = ['module', 'browser', 'development|production'];
const TEST_DEFAULTS = ['node', 'development|production'];

/** vite config fragment for a browser build. */
export function viteSourceResolve() {
  return { resolve: { conditions: [SOURCE_CONDITION, ...BROWSER_DEFAULTS] } };
}

/** vitest config fragment (node environment). */
export function vitestSourceResolve() {
  return { ssr: { resolve: { conditions: [SOURCE_CONDITION, ...TEST_DEFAULTS] } } };
}
