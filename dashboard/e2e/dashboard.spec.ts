// The dashboard against a real collector holding a cascading failure:
// inventory is down, orders' calls to it fail after retries and its breaker opens,
// orders and gateway fail in turn.
import { OtlpEmitter } from './fixtures/otlp.js';
import { expect, screenshot, test } from './support.js';

test.describe('service map', () => {
  test('shows every service and the virtual node, coloured and labelled by health', async ({ page, fixture }) => {
    await page.goto('/');
    for (const s of fixture.services) await expect(page.getByTestId(`map-node-${s}`)).toBeVisible();
    const virtual = page.getByTestId(`map-node-${fixture.virtualNode}`);
    await expect(virtual).toBeVisible();
    await expect(virtual).toHaveAttribute('data-kind', 'virtual');
    await expect(page.getByTestId('map-node-orders')).toHaveAttribute('data-health', 'failing');
    await expect(page.getByTestId('map-node-orders')).toContainText('FAILING');
    await expect(page.getByTestId('map-node-payments')).toHaveAttribute('data-health', 'healthy');
    const edge = page.getByTestId('map-edge-orders-inventory');
    await expect(edge).toContainText('err');
    await expect(edge).toContainText('retr');
    await expect(edge).toContainText('short-circuit');
    await expect(page.getByTestId('health-legend')).toContainText('failing: errors ≥ 10%');
    await screenshot(page, 'cascade-map', { docs: false });
  });

  test('selects a node from the keyboard and keeps the selection in the URL', async ({ page }) => {
    await page.goto('/');
    const orders = page.getByTestId('map-node-orders');
    await orders.focus();
    await page.keyboard.press('Enter');
    const details = page.getByTestId('node-details');
    await expect(details).toContainText('Callers (1)');
    await expect(details).toContainText('gateway');
    await expect(details).toContainText('Calls (3)');
    expect(page.url()).toContain('node=orders');
    await page.reload();
    await expect(page.getByTestId('node-details')).toContainText('orders');
    await expect(page.getByTestId('map-node-orders')).toHaveAttribute('aria-pressed', 'true');
  });

  test('updates live from the stream when new spans arrive (auto-refresh off)', async ({ page, baseURL }) => {
    await page.goto('/#/?refresh=off');
    await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-status', 'live');
    await expect(page.getByTestId('map-node-orders')).toBeVisible();
    await expect(page.getByTestId('map-node-recommendations')).toHaveCount(0);
    const emit = new OtlpEmitter(baseURL!);
    emit.span({ service: 'recommendations', name: 'GET /hello', kind: 'server', startMs: Date.now() - 1000, endMs: Date.now() - 990 });
    await emit.shutdown();
    await expect(page.getByTestId('map-node-recommendations')).toBeVisible({ timeout: 10_000 });
  });

  test('time range and live controls', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-status', 'live');
    await page.getByRole('button', { name: '1h', exact: true }).click();
    await expect(page).toHaveURL(/range=1h/);
    await expect(page.getByTestId('map-node-orders')).toBeVisible();
    await page.getByTestId('live-indicator').click();
    await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-status', 'paused');
    // Custom window covering the fixture: fixed, so the URL holds from/to and live is off.
    const local = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByRole('button', { name: 'custom' }).click();
    await page.getByLabel('from', { exact: true }).fill(local(Date.now() - 30 * 60_000));
    await page.getByLabel('to', { exact: true }).fill(local(Date.now() + 60_000));
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/from=\d+&to=\d+/);
    await expect(page.getByTestId('map-node-orders')).toBeVisible();
    await expect(page.getByTestId('live-indicator')).toContainText('fixed range');
    await expect(page.getByTestId('live-indicator')).toContainText('Paused');
    // A fixed window in the past: no data, said so, and nothing to follow live.
    await page.goto('/#/?from=1000&to=2000');
    await expect(page.getByTestId('empty-state')).toContainText('No services seen');
    await expect(page.getByTestId('empty-state')).toContainText('pnpm demo');
    await expect(page.getByTestId('live-indicator')).toContainText('fixed range');
  });
});

test.describe('incidents', () => {
  test('names the leaf as the first root cause and highlights its path', async ({ page, fixture }) => {
    await page.goto('/#/incidents');
    const first = page.getByTestId('root-cause').first();
    await expect(first).toHaveAttribute('data-rank', '1');
    await expect(first).toHaveAttribute('data-service', fixture.leaf);
    await first.getByTestId('select-root-cause').click();
    await expect(page).toHaveURL(/cause=0/);
    for (const id of ['inventory', 'orders', 'gateway']) await expect(page.getByTestId(`map-node-${id}`)).toHaveAttribute('data-highlighted', 'true');
    await expect(page.getByTestId('map-node-payments')).toHaveAttribute('data-dimmed', 'true');
    await expect(page.getByTestId('map-edge-orders-inventory')).toHaveAttribute('data-highlighted', 'true');
    await expect(page.getByTestId('map-edge-gateway-orders')).toHaveAttribute('data-highlighted', 'true');
    await expect(page.getByTestId('map-edge-orders-payments')).toHaveAttribute('data-dimmed', 'true');
    // Evidence: the cause's example traces link to their waterfalls.
    const evidence = page.getByTestId('cause-evidence').getByRole('link');
    await expect(evidence.first()).toHaveAttribute('href', /#\/traces\/[0-9a-f]{32}/);
    await screenshot(page, 'cascade-incidents', { docs: false });

    await page.getByRole('link', { name: 'Show path on the full map →' }).click();
    await expect(page.getByTestId('path-banner')).toContainText('inventory → orders → gateway');
    await expect(page.getByTestId('map-node-inventory')).toHaveAttribute('data-highlighted', 'true');
    await expect(page.getByTestId('map-node-shipping')).toHaveAttribute('data-dimmed', 'true');
  });
});

test.describe('traces', () => {
  test('filters by status and service, and the filters survive a reload', async ({ page }) => {
    await page.goto('/#/traces');
    const form = page.getByTestId('trace-search');
    await form.locator('select[name=service]').selectOption('orders');
    await form.locator('select[name=status]').selectOption('error');
    await form.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/status=error/);
    await expect(page).toHaveURL(/service=orders/);
    const rows = page.getByTestId('trace-row');
    await expect(rows.first()).toBeVisible();
    const errors = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-errors'))));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((n) => n > 0)).toBe(true);
    await page.reload();
    await expect(page.getByTestId('trace-search').locator('select[name=status]')).toHaveValue('error');
    await expect(page.getByTestId('trace-row').first()).toBeVisible();
    await screenshot(page, 'cascade-traces', { docs: false });
  });

  test('finds a trace by correlation id', async ({ page, fixture }) => {
    const traceId = fixture.retryTraceIds[0]!;
    const correlationId = fixture.correlationIds[traceId]!;
    await page.goto('/#/traces?refresh=off');
    await page.getByTestId('live-indicator').click();
    await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-status', 'paused');
    const answered: string[] = [];
    page.on('requestfinished', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/traces') && u.searchParams.get('correlationId')) answered.push(u.search);
    });
    await page.getByTestId('trace-search').locator('input[name=correlationId]').fill(correlationId);
    await page.getByTestId('trace-search').getByRole('button', { name: 'Search' }).click();
    await expect(page.getByTestId('trace-row')).toHaveCount(1);
    await expect(page.getByTestId('trace-row')).toHaveAttribute('data-trace-id', traceId);
    // One call: the collector filters by correlation id (no reading of candidate traces).
    expect(answered).toHaveLength(1);
  });

  test('a failing trace opens with its error span, nested attempts and retry markers', async ({ page, fixture }) => {
    const traceId = fixture.retryTraceIds[0]!;
    await page.goto(`/#/traces?status=error&service=orders&limit=1000`);
    await page.locator(`[data-trace-id="${traceId}"] a`).click();
    await expect(page).toHaveURL(new RegExp(`#/traces/${traceId}`));
    const waterfall = page.getByTestId('waterfall');
    await expect(waterfall).toBeVisible();
    await expect(waterfall.locator('[data-error="true"]').first()).toBeVisible();
    await expect(waterfall.getByTestId('marker-retry')).toHaveCount(2);
    await expect(waterfall.getByText('attempt 3')).toBeVisible();
    await expect(waterfall.getByText('✕ error').first()).toBeVisible();
    await expect(page.getByTestId('span-detail')).toContainText('ECONNREFUSED');
    await screenshot(page, 'cascade-trace', { docs: false });
    // Deep link to one span.
    const spanId = await waterfall.locator('[data-testid="wf-row"]').first().getAttribute('data-span-id');
    await page.goto(`/#/traces/${traceId}?span=${spanId}`);
    await expect(page.getByTestId('span-detail')).toContainText('POST /checkout');
  });

  test('an unknown trace id says it is not stored', async ({ page }) => {
    await page.goto(`/#/traces/${'0'.repeat(31)}1`);
    await expect(page.getByTestId('error-state')).toContainText('Not found');
  });
});

test.describe('service detail', () => {
  test('shows RED charts, neighbours and the breaker timeline', async ({ page }) => {
    await page.goto('/#/services/orders');
    for (const id of ['chart-rate', 'chart-errors', 'chart-latency']) {
      await expect(page.getByTestId(id).locator('.recharts-line-curve').first()).toBeVisible();
    }
    await expect(page.getByTestId('callers')).toContainText('gateway');
    await expect(page.getByTestId('callees')).toContainText('inventory');
    const breaker = page.getByTestId('breaker-inventory');
    await expect(breaker).toBeVisible();
    await expect(breaker.locator('[data-state="open"]').first()).toBeVisible();
    await expect(breaker.locator('[data-state="closed"]').first()).toBeVisible();
    await expect(breaker.locator('[data-state="half-open"]').first()).toBeAttached();
    await screenshot(page, 'cascade-service', { docs: false });
  });

  test('the down service shows the breaker its callers hold', async ({ page }) => {
    await page.goto('/#/services/inventory');
    await expect(page.getByTestId('breaker-inventory').locator('[data-state="open"]').first()).toBeVisible();
  });
});

test.describe('chaos panel', () => {
  test('is hidden when the collector has no control URL', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('navigation', { name: 'Pages' })).toContainText('Traces');
    await expect(page.getByRole('navigation', { name: 'Pages' }).getByText('Chaos')).toHaveCount(0);
    await page.goto('/#/chaos');
    await expect(page.getByTestId('empty-state')).toContainText('Chaos panel not configured');
  });
});
