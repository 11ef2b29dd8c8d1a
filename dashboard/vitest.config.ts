import { defineConfig } from 'vitest/config';
import { vitestSourceResolve } from '../scripts/source-condition.mjs';

export default defineConfig({
  ...vitestSourceResolve(),
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
