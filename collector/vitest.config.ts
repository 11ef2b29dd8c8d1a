import { defineConfig } from 'vitest/config';
import { vitestSourceResolve } from '../scripts/source-condition.mjs';
import { distPlugins } from '../scripts/vitest-dist.mjs';

export default defineConfig({
  ...vitestSourceResolve(),
  plugins: distPlugins(import.meta.dirname),
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
