// The chaos panel against the demo's real control server (from @faultline/demo-services,
// cross-origin with its CORS rules), driving an in-memory shop stand-in that records faults.
import { test, expect } from '@playwright/test';
import { startControlServer } from '@faultline/demo-services';
import { freePort, startCollector } from './fixtures/collector.js';
import { screenshot } from './support.js';

interface Fault {
  service: string;
  kind: 'error' | 'latency' | 'abort' | 'down' | 'slow' | 'flap';
  startMs: number;
  endMs?: number;
}

test('the chaos panel lists scenarios, starts and stops one, and shows the active fault', async ({ page }) => {
  const faults: Fault[] = [];
  let active: { name: string; startMs: number; durationMs: number } | null = null;
  const port = await freePort();
  const control = await startControlServer({
    port: 0,
    allowedOrigins: [`http://127.0.0.1:${port}`],
    target: {
      start(name, durationMs) {
        active = { name, startMs: Date.now(), durationMs };
        faults.push({ service: 'inventory', kind: 'down', startMs: Date.now() });
        return active;
      },
      async stop() {
        active = null;
        for (const f of faults) f.endMs ??= Date.now();
      },
      faults: () => faults as never,
      active: () => active,
    },
  });
  const collector = await startCollector(['--control-url', control.url], port);
  try {
    await page.goto(`${collector.url}/`);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Chaos' }).click();
    await expect(page.getByTestId('start-inventory-down')).toBeVisible();
    await expect(page.getByTestId('active-scenario')).toContainText('no scenario');
    await page.getByTestId('start-inventory-down').click();
    await expect(page.getByTestId('active-scenario')).toContainText('inventory-down');
    await expect(page.getByTestId('active-faults')).toContainText('down on inventory');
    await screenshot(page, 'chaos');
    await page.getByRole('button', { name: '■ Stop scenario' }).click();
    await expect(page.getByTestId('active-scenario')).toContainText('no scenario');
    await expect(page.getByTestId('active-faults')).toContainText('until');
  } finally {
    await collector.stop();
    await control.close();
  }
});
