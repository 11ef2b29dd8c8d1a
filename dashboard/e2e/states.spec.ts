// Loading, empty and error states against a collector of their own:
// empty at first, then stopped under the open page.
import { test as base, expect } from '@playwright/test';
import { startCollector } from './fixtures/collector.js';

base('an empty collector says how to send data; a stopped one says how to start it', async ({ page }) => {
  const collector = await startCollector();
  try {
    await page.goto(`${collector.url}/`);
    await expect(page.getByTestId('empty-state')).toContainText('No services seen');
    await expect(page.getByTestId('empty-state')).toContainText('OTEL_EXPORTER_OTLP_ENDPOINT');
    await page.goto(`${collector.url}/#/incidents`);
    await expect(page.getByTestId('empty-state')).toContainText('No incidents');
    await page.goto(`${collector.url}/#/traces`);
    await expect(page.getByTestId('empty-state')).toContainText('No traces match');
    await page.goto(`${collector.url}/#/`);
    await expect(page.getByTestId('empty-state')).toBeVisible();
  } finally {
    await collector.stop();
  }
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await expect(page.getByTestId('error-state')).toContainText('Collector unreachable');
  await expect(page.getByTestId('error-state')).toContainText('pnpm collector');
  await expect(page.getByTestId('live-indicator')).not.toHaveAttribute('data-status', 'live');
});

base('a collector with a token asks for it, and the stored token opens the dashboard', async ({ page }) => {
  const collector = await startCollector([], 0, { FAULTLINE_TOKEN: 'e2e-secret-token' });
  try {
    await page.goto(`${collector.url}/`);
    await expect(page.getByTestId('error-state')).toContainText('FAULTLINE_TOKEN');
    await page.getByLabel('collector token').fill('e2e-secret-token');
    await page.getByRole('button', { name: 'Save and reload' }).click();
    await expect(page.getByTestId('empty-state')).toContainText('No services seen');
    await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-status', 'live');
  } finally {
    await collector.stop();
  }
});
