import { test as base, expect, type Page } from '@playwright/test';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Fixture {
  services: string[];
  virtualNode: string;
  leaf: string;
  failureStartMs: number;
  retryTraceIds: string[];
  okTraceIds: string[];
  correlationIds: Record<string, string>;
  spanCount: number;
}

export const SCREENSHOT_DIR = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'artifacts', 'screenshots');
const DOCS_DIR = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'docs');

export const test = base.extend<{ fixture: Fixture }>({
  baseURL: async ({}, use) => {
    const url = process.env.FAULTLINE_E2E_URL;
    if (!url) throw new Error('FAULTLINE_E2E_URL is not set: global setup did not run');
    await use(url);
  },
  fixture: async ({}, use) => {
    await use(JSON.parse(process.env.FAULTLINE_E2E_FIXTURE ?? '{}') as Fixture);
  },
});

export { expect };

export async function screenshot(page: Page, name: string, options: { docs?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
  if (process.env.FAULTLINE_DOCS_SCREENSHOTS && options.docs !== false) await page.screenshot({ path: join(DOCS_DIR, `${name}.png`), fullPage: false });
}
