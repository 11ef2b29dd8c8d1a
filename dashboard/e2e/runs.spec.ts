// The run selector against a collector of its own holding two runs (service.namespace) of the
// same shop: in one inventory goes down and the cascade follows, the other stays healthy.
// Added up, the map shows the failure; selecting a run shows that run's figures only.
import { test as base, expect } from '@playwright/test';
import { loadCascade } from './fixtures/cascade.js';
import { startCollector, type RunningCollector } from './fixtures/collector.js';
import { OtlpEmitter } from './fixtures/otlp.js';
import { screenshot } from './support.js';

const FAILING_RUN = 'shop-inventory-down-1';
const HEALTHY_RUN = 'shop-healthy-2';

const test = base.extend<{}, { collector: RunningCollector }>({
  collector: [
    async ({}, use) => {
      const collector = await startCollector();
      try {
        await loadCascade(collector.url, { namespace: FAILING_RUN, seed: 7 });
        // Fewer requests and no failure: its figures differ from the failing run's in every column.
        await loadCascade(collector.url, { namespace: HEALTHY_RUN, failureMinutes: 0, baselineMinutes: 12, tracesPerMinute: 20, seed: 11 });
        await use(collector);
      } finally {
        await collector.stop();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ collector }, use) => use(collector.url),
});

test('lists the runs, and selecting one shows only its figures on the map and in the services table', async ({ page }) => {
  await page.goto('/#/');
  const select = page.getByTestId('run-select');
  await expect(select).toHaveValue('');
  await expect(select.locator('option')).toHaveText(['all runs', /^shop-/, /^shop-/]);
  // All runs added up: the failing run's outage shows.
  await expect(page.getByTestId('map-node-orders')).toHaveAttribute('data-health', 'failing');
  const allRunsRequests = await page.locator('[data-testid="service-row"][data-service="gateway"] td.history').textContent();

  await select.selectOption(HEALTHY_RUN);
  await expect(page).toHaveURL(new RegExp(`run=${HEALTHY_RUN}`));
  for (const s of ['gateway', 'orders', 'inventory']) {
    await expect(page.getByTestId(`map-node-${s}`)).toHaveAttribute('data-health', 'healthy');
    await expect(page.locator(`[data-testid="service-row"][data-service="${s}"]`)).toHaveAttribute('data-health', 'healthy');
  }
  await expect(page.getByTestId('service-map')).not.toContainText('FAILING');
  await expect(page.getByTestId('map-edge-orders-inventory')).not.toContainText('short-circuit');
  const healthyRequests = await page.locator('[data-testid="service-row"][data-service="gateway"] td.history').textContent();
  expect(healthyRequests).not.toBe(allRunsRequests);
  await screenshot(page, 'run-selector');

  await select.selectOption(FAILING_RUN);
  await expect(page).toHaveURL(new RegExp(`run=${FAILING_RUN}`));
  await expect(page.getByTestId('map-node-orders')).toHaveAttribute('data-health', 'failing');
  await expect(page.locator('[data-testid="service-row"][data-service="inventory"]')).not.toHaveAttribute('data-health', 'healthy');
  await expect(page.getByTestId('map-edge-orders-inventory')).toContainText('short-circuit');

  // Kept in the URL like the time range: a reload and another page keep the run.
  await page.reload();
  await expect(page.getByTestId('run-select')).toHaveValue(FAILING_RUN);
  await page.getByRole('link', { name: 'Traces' }).click();
  await expect(page).toHaveURL(new RegExp(`#/traces\\?.*run=${FAILING_RUN}`));
  await expect(page.locator('input[name="namespace"]')).toHaveAttribute('placeholder', FAILING_RUN);

  // The healthy run has no failing traces; all runs do.
  await page.goto(`/#/traces?status=error&run=${HEALTHY_RUN}`);
  await expect(page.getByTestId('empty-state')).toContainText('No traces match');
  await page.getByTestId('run-select').selectOption('');
  await expect(page).not.toHaveURL(/run=/);
  await expect(page.getByTestId('trace-row').first()).toBeVisible();
});

test('hides the selector when the window holds no runs', async ({ page }) => {
  await page.goto('/#/?from=1000&to=2000');
  await expect(page.getByTestId('live-indicator')).toContainText('fixed range');
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await expect(page.getByTestId('run-select')).toHaveCount(0);
});

test('with a run selected, stream events refetch that run and never show another run', async ({ page, baseURL }) => {
  await page.goto(`/#/?refresh=off&run=${HEALTHY_RUN}`);
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-status', 'live');
  await expect(page.getByTestId('map-node-orders')).toHaveAttribute('data-health', 'healthy');
  const send = async (run: string, service: string) => {
    const emit = new OtlpEmitter(baseURL!, run);
    emit.span({ service, name: 'GET /hello', kind: 'server', startMs: Date.now() - 1000, endMs: Date.now() - 990 });
    await emit.shutdown();
  };
  // Stored before the healthy run's new service: any map that shows the latter was fetched after it.
  await send(FAILING_RUN, 'ads');
  await send(HEALTHY_RUN, 'recommendations');
  await expect(page.getByTestId('map-node-recommendations')).toBeVisible();
  await expect(page.getByTestId('map-node-ads')).toHaveCount(0);
  await page.getByTestId('run-select').selectOption('');
  await expect(page.getByTestId('map-node-ads')).toBeVisible();
});
