import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser. The root test runner passes
// --reporter=list,json itself, so no reporter is set here.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'artifacts/test-results',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  globalSetup: './e2e/global-setup.ts',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    // FAULTLINE_DOCS_SCREENSHOTS=1 also refreshes the README's screenshots, at a smaller scale.
    deviceScaleFactor: process.env.FAULTLINE_DOCS_SCREENSHOTS ? 0.7 : 1,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
    trace: 'off',
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
  },
});
