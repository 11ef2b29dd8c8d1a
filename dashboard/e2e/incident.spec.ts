// The dashboard during a real incident: a real collector fed by the demo shop running the
// `inventory-down` scenario (inventory's process killed and its port black-holed, the fault
// recorded by the scenario). Alongside the scenario's load, a probe in this test sends orders
// through the gateway and keeps what it saw, minute by minute, to hold the map's figures to.
import { expect, test, type Page } from '@playwright/test';
import { runScenario, SERVICE_NAMES, type ScenarioReport } from '@faultline/demo-services';
import { startCollector, type RunningCollector } from './fixtures/collector.js';
import { legibilityProblems, measure } from './mapGeometry.js';
import { screenshot } from './support.js';

/** The fault runs from 15 % to 70 % of the load: 121 s, so at least one whole minute falls inside it. */
const SCENARIO_S = 220;
const SCENARIO_RPS = 3;
const PROBE_INTERVAL_MS = 400;
const PROBE_TIMEOUT_MS = 10_000;
const MINUTE_MS = 60_000;
/** The map's current error rate may differ from the probe's by this much (percentage points). */
const ERROR_RATE_TOLERANCE_POINTS = 5;

test.setTimeout((SCENARIO_S + 240) * 1000);
test.use({ viewport: { width: 1280, height: 720 } });

interface ProbeResult {
  sentMs: number;
  status: number | null;
  correlationId: string;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** "34%", "<0.1%", "0%" → percentage points. */
function parsePct(text: string): number {
  if (text.startsWith('<')) return 0.05;
  return Number(text.replace('%', ''));
}

async function gatewayCurrent(collectorUrl: string): Promise<{ minuteStartMs: number; errorRate: number } | null> {
  const graph = await getJson<{ nodes: { id: string; current?: { minuteStartMs: number; errorRate: number } }[] }>(`${collectorUrl}/api/graph`);
  return graph.nodes.find((n) => n.id === 'gateway')?.current ?? null;
}

test('inventory-down: the map, the service page and the trace search tell the truth', async ({ page }) => {
  let collector: RunningCollector | null = null;
  let stopProbe = false;
  const probe: ProbeResult[] = [];
  const inflight: Promise<void>[] = [];
  let scenario: Promise<ScenarioReport> | null = null;
  try {
    collector = await startCollector();
    const url = collector.url;
    let gateway: string | null = null;
    scenario = runScenario({
      scenario: 'inventory-down',
      mode: 'resilient',
      durationS: SCENARIO_S,
      rps: SCENARIO_RPS,
      seed: 14,
      otlpEndpoint: url,
      onStart: (shop) => {
        gateway = shop.urls.gateway;
      },
    });
    scenario.catch(() => undefined);
    const probeLoop = (async () => {
      for (let i = 0; !stopProbe; i++) {
        if (gateway) {
          const result: ProbeResult = { sentMs: Date.now(), status: null, correlationId: `probe-${process.pid}-${i}` };
          probe.push(result);
          inflight.push(
            fetch(`${gateway}/orders`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-correlation-id': result.correlationId },
              body: JSON.stringify({ sku: 'sku-1', qty: 1 }),
              signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
            })
              .then(async (res) => {
                await res.arrayBuffer().catch(() => undefined);
                result.status = res.status;
              })
              .catch(() => {
                result.status = 0;
              }),
          );
        }
        // The probe's pace, not a wait for a condition.
        await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS));
      }
    })();

    // The fault is recorded: an annotation for inventory.
    let faultStartMs = 0;
    await expect
      .poll(
        async () => {
          const list = await getJson<{ timeMs: number; service?: string; kind: string }[]>(`${url}/api/annotations`).catch(() => []);
          faultStartMs = list.find((a) => a.service === 'inventory')?.timeMs ?? 0;
          return faultStartMs;
        },
        { timeout: SCENARIO_S * 1000, intervals: [2000] },
      )
      .toBeGreaterThan(0);
    // Wait until the last complete minute lies inside the fault, and the probe's requests of that minute have answered.
    const firstFaultMinute = Math.ceil(faultStartMs / MINUTE_MS) * MINUTE_MS;
    await expect.poll(async () => (await gatewayCurrent(url).catch(() => null))?.minuteStartMs ?? 0, { timeout: 3 * MINUTE_MS, intervals: [2000] }).toBeGreaterThanOrEqual(firstFaultMinute);

    const probeErrorPct = (minuteStartMs: number) => {
      const inMinute = probe.filter((p) => p.sentMs >= minuteStartMs && p.sentMs < minuteStartMs + MINUTE_MS);
      const answered = inMinute.filter((p) => p.status !== null);
      expect(answered.length, 'every probe request of the minute has answered').toBe(inMinute.length);
      expect(inMinute.length).toBeGreaterThan(0);
      return (answered.filter((p) => p.status === 0 || p.status! >= 500).length / answered.length) * 100;
    };

    await page.goto(`${url}/#/?refresh=off`);
    const gatewayNode = page.getByTestId('map-node-gateway');
    await expect(gatewayNode).toBeVisible();
    // Read the map and the minute it shows together (a minute may end between the two reads).
    await expect(async () => {
      await page.reload();
      const summary = (await page.getByTestId('map-node-gateway').getByTestId('node-summary').textContent()) ?? '';
      const current = await gatewayCurrent(url);
      const shown = /([<\d.]+%) err/.exec(summary);
      expect(shown, `gateway summary "${summary}"`).not.toBeNull();
      const after = await gatewayCurrent(url);
      expect(after?.minuteStartMs).toBe(current?.minuteStartMs);
      await Promise.allSettled(inflight);
      const probePct = probeErrorPct(current!.minuteStartMs);
      expect(Math.abs(parsePct(shown![1]!) - probePct), `map ${shown![1]} vs probe ${probePct.toFixed(1)}%`).toBeLessThanOrEqual(ERROR_RATE_TOLERANCE_POINTS);
    }).toPass({ timeout: 2 * MINUTE_MS });

    // inventory fails on the map with its callers' figures; no fault recorder or event-type node.
    const inventory = page.getByTestId('map-node-inventory');
    await expect(inventory).toHaveAttribute('data-health', 'failing');
    await expect(inventory.getByTestId('node-summary')).toContainText('callers see');
    const nodeIds = await page.locator('[data-testid^="map-node-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('map-node-'.length)));
    expect(nodeIds).not.toContain('faultline-chaos');
    expect(nodeIds.filter((id) => !(SERVICE_NAMES as readonly string[]).includes(id)), 'only the shop\'s services').toEqual([]);
    // The fault is drawn on the map's time strip and listed beside it.
    await expect(page.getByTestId('annotation-marker').first()).toBeVisible();
    await expect(page.getByTestId('annotation-item').filter({ hasText: 'inventory' }).first()).toBeVisible();
    // Legible at 1280×720.
    await page.getByRole('button', { name: 'Fit to screen' }).click();
    const geometry = await measure(page);
    expect(geometry.offscreenNodes).toEqual([]);
    const { small, clashes } = legibilityProblems(geometry);
    expect(small).toEqual([]);
    expect(clashes).toEqual([]);
    await screenshot(page, 'map');

    // inventory's page: what its callers saw, labelled as such; its failing traces are its callers'.
    await page.goto(`${url}/#/services/inventory?refresh=off`);
    const callersView = page.getByTestId('callers-view');
    await expect(callersView).toContainText('As its callers saw it');
    await expect(callersView.getByTestId('caller-orders')).toContainText(/[1-9][\d,]* of [\d,]+/);
    await expect(page.getByTestId('service-health')).toContainText('failing');
    await screenshot(page, 'service');
    await page.getByTestId('failing-traces-link').click();
    await expect(page.getByTestId('trace-row').first()).toBeVisible();
    await screenshot(page, 'traces');
    await page.getByTestId('trace-row').first().locator('a').first().click();
    await expect(page.getByTestId('wf-critical').first()).toBeVisible();
    await expect(page.getByTestId('span-status-message')).toBeVisible();

    // A correlation-id search is one /api/traces call that finds the request's trace (with the
    // saga's later traces that carry the same correlation id: events, compensations).
    const probed = probe.find((p) => p.sentMs >= firstFaultMinute && p.status !== null && (p.status === 0 || p.status >= 500));
    expect(probed).toBeDefined();
    const fromMs = probed!.sentMs - MINUTE_MS;
    let traceId = '';
    await expect
      .poll(
        async () => {
          const list = await getJson<{ traceId: string; rootService: string }[]>(`${url}/api/traces?correlationId=${probed!.correlationId}&from=${fromMs}`);
          traceId = list.find((t) => t.rootService === 'gateway')?.traceId ?? '';
          return traceId;
        },
        { timeout: MINUTE_MS },
      )
      .not.toBe('');
    const search = await page.context().newPage();
    // Answers that brought traces; a call the loaded collector timed out or refused is retried by the page.
    const traceCalls: string[] = [];
    const unanswered: string[] = [];
    search.on('response', (r) => {
      if (!new URL(r.url()).pathname.startsWith('/api/traces')) return;
      if (r.ok()) traceCalls.push(r.url());
      else unanswered.push(`${r.status()} ${r.url()}`);
    });
    search.on('requestfailed', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/traces')) unanswered.push(`${r.failure()?.errorText} ${r.url()}`);
    });
    // A fixed window: nothing live refetches while the calls are counted.
    await search.goto(`${url}/#/traces?from=${fromMs}&to=${Date.now()}&correlationId=${probed!.correlationId}`);
    await expect(search.locator(`[data-testid="trace-row"][data-trace-id="${traceId}"]`)).toBeVisible();
    expect(traceCalls, `one API call (not answered: ${unanswered.join(', ') || 'none'})`).toHaveLength(1);
    expect(new URL(traceCalls[0]!).searchParams.get('correlationId')).toBe(probed!.correlationId);
    await search.close();
    // That request's waterfall: critical path, and the failing span's status message.
    await page.goto(`${url}/#/traces/${traceId}`);
    await expect(page.getByTestId('wf-critical').first()).toBeVisible();
    await expect(page.getByTestId('span-status-message')).toBeVisible();
    await screenshot(page, 'trace');

    await openOtherPages(page, url);
  } finally {
    stopProbe = true;
    await Promise.allSettled(inflight);
    // The scenario stops its own processes once its load and settling are done.
    if (scenario) await scenario.catch(() => undefined);
    await collector?.stop();
  }
});

async function openOtherPages(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/#/incidents?refresh=off`);
  await expect(page.getByTestId('incident').first()).toBeVisible({ timeout: 60_000 });
  await screenshot(page, 'incidents');
  await page.goto(`${url}/#/transactions?refresh=off`);
  await expect(page.locator('main')).toContainText('Distributed transactions');
  await screenshot(page, 'incident-transactions', { docs: false });
}
