// Walking skeleton: with the collector holding spans of gateway and orders,
// the dashboard at `/` shows both services and the edge between them.
import { expect, test } from './support.js';

test('the dashboard at / shows the services and the gateway → orders edge', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('map-node-gateway')).toBeVisible();
  await expect(page.getByTestId('map-node-orders')).toBeVisible();
  await expect(page.getByTestId('map-edge-gateway-orders')).toBeVisible();
  await expect(page.getByTestId('service-table')).toContainText('gateway');
  await expect(page.getByTestId('service-table')).toContainText('orders');
  await expect(page.getByTestId('edge-table')).toContainText('gateway → orders');
});
