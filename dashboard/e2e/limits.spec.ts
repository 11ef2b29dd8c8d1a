// At the limits the issue sets: a 100-service map and a 5,000-span trace
// (virtualised: only the rows in view are in the DOM). Timing is in bench/, not here.
import { test, expect } from '@playwright/test';
import { startCollector } from './fixtures/collector.js';
import { loadBigGraph, loadHugeTrace } from './fixtures/large.js';
import { screenshot } from './support.js';

test('renders a 100-service map and a virtualised 5,000-span waterfall', async ({ page }) => {
  const collector = await startCollector();
  try {
    const graph = await loadBigGraph(collector.url, 100);
    const trace = await loadHugeTrace(collector.url, 5000, Date.now(), 'svc-');
    await page.goto(`${collector.url}/#/?range=1h`);
    await expect(page.locator('[data-testid^="map-node-"]')).toHaveCount(100);
    for (const s of [graph.services[0]!, graph.services[99]!]) await expect(page.getByTestId(`map-node-${s}`)).toBeAttached();
    await page.getByRole('button', { name: 'Fit to screen' }).click();
    await screenshot(page, 'map-100', { docs: false });

    await page.goto(`${collector.url}/#/traces/${trace.traceId}`);
    const waterfall = page.getByTestId('waterfall');
    await expect(waterfall).toHaveAttribute('data-row-count', '5000');
    const domRows = await waterfall.getByTestId('wf-row').count();
    expect(domRows).toBeGreaterThan(10);
    expect(domRows).toBeLessThan(100);
    await page.locator('.wf-body').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect(waterfall.locator('[data-index="4999"]')).toBeVisible();
    // Collapsing the root leaves one row.
    await page.locator('.wf-body').evaluate((el) => (el.scrollTop = 0));
    await waterfall.getByTestId('wf-row').first().getByRole('button', { name: /Collapse/ }).click();
    await expect(waterfall).toHaveAttribute('data-row-count', '1');
  } finally {
    await collector.stop();
  }
});
