import { defineConfig } from 'vitest/config';
import { vitestSourceResolve } from '../scripts/source-condition.mjs';

export default defineConfig({
  ...vitestSourceResolve(),
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The end-to-end and scenario files each run a whole shop of processes;
    // overlapping them on a 2-core CI machine would turn timeouts into noise.
    fileParallelism: false,
  },
});
