// "Legible by default": at fit, on 1280×720 and 1920×1080, every map label renders at
// 11 px or more, and no label overlaps another label or an edge. Checked on the rendered
// page: label boxes from getBoundingClientRect, edges sampled along their paths.
import { expect, test } from '@playwright/test';
import { startCollector, type RunningCollector } from './fixtures/collector.js';
import { loadShop, SHOP_NODES } from './fixtures/shop.js';
import { legibilityProblems, measure, MIN_LABEL_PX } from './mapGeometry.js';
import { screenshot } from './support.js';

let collector: RunningCollector;
test.beforeAll(async () => {
  collector = await startCollector();
  await loadShop(collector.url);
});
test.afterAll(async () => collector?.stop());

for (const viewport of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) {
  test(`map at fit on ${viewport.width}×${viewport.height}: labels ≥ ${MIN_LABEL_PX} px, no label over a label or an edge`, async ({ browser }) => {
    const page = await browser.newPage({ viewport });
    try {
      await page.goto(`${collector.url}/#/?refresh=off`);
      for (const id of SHOP_NODES) await expect(page.getByTestId(`map-node-${id}`)).toBeVisible();
      await expect(page.locator('[data-testid="edge-label"]')).toHaveCount(10);
      await page.getByRole('button', { name: 'Fit to screen' }).click();
      const m = await measure(page);
      expect(m.offscreenNodes, 'every node in view at fit').toEqual([]);
      const { small, clashes } = legibilityProblems(m);
      expect(small).toEqual([]);
      expect(clashes).toEqual([]);
      await screenshot(page, `map-fit-${viewport.width}x${viewport.height}`, { docs: false });
    } finally {
      await page.close();
    }
  });
}
