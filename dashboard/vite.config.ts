import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { viteSourceResolve } from '../scripts/source-condition.mjs';

// The collector serves dist/ at `/`; relative asset URLs keep it working behind any prefix.
export default defineConfig({
  ...viteSourceResolve(),
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://127.0.0.1:4318' } },
});
