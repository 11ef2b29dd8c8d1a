// The Transactions page and alerts in the top bar and on the incidents page, against a
// collector of their own fed through the official OTLP exporter.
import { test as base, expect } from '@playwright/test';
import { startCollector, type RunningCollector } from './fixtures/collector.js';
import { OtlpEmitter } from './fixtures/otlp.js';
import { screenshot } from './support.js';

const tx = (id: string, name: string, step?: string) => ({ name, attributes: { 'faultline.tx.id': id, 'faultline.tx.type': 'order', ...(step ? { 'faultline.tx.step': step } : {}) } });

base('lists stuck, compensating and in-flight transactions with their age, shows one timeline, and alerts in the top bar', async ({ page }) => {
  let collector: RunningCollector | null = null;
  let emitter: OtlpEmitter | null = null;
  try {
    collector = await startCollector([], 0, { FAULTLINE_TX_STUCK_MS: '60000' });
    emitter = new OtlpEmitter(collector.url);
    const now = Date.now();
    const saga = (service: string, startMs: number, events: { name: string; attributes: Record<string, string>; dt: number }[]) =>
      emitter!.span({ service, name: 'saga step', kind: 'internal', startMs, endMs: startMs + 50, events: events.map((e) => ({ name: e.name, attributes: e.attributes, timeMs: startMs + e.dt })) });
    // Stuck: payment started 90 s ago, nothing since.
    saga('orders', now - 95_000, [{ ...tx('order-stuck-1', 'tx.step.started', 'reserve-stock'), dt: 0 }, { ...tx('order-stuck-1', 'tx.step.succeeded', 'reserve-stock'), dt: 20 }]);
    saga('payments', now - 90_000, [{ ...tx('order-stuck-1', 'tx.step.started', 'capture-payment'), dt: 0 }]);
    // Compensating right now.
    saga('orders', now - 2_000, [{ ...tx('order-undo-2', 'tx.step.started', 'create-shipment'), dt: 0 }, { ...tx('order-undo-2', 'tx.step.failed', 'create-shipment'), dt: 10 }, { ...tx('order-undo-2', 'tx.compensation.started', 'capture-payment'), dt: 20 }]);
    // In flight and done.
    saga('orders', now - 1_000, [{ ...tx('order-run-3', 'tx.step.started', 'reserve-stock'), dt: 0 }]);
    saga('orders', now - 4_000, [{ ...tx('order-done-4', 'tx.step.started', 'reserve-stock'), dt: 0 }, { ...tx('order-done-4', 'tx.step.succeeded', 'reserve-stock'), dt: 5 }, { ...tx('order-done-4', 'tx.completed'), dt: 6 }]);
    // An open breaker: a firing BreakerOpen alert.
    emitter.span({ service: 'orders', name: 'POST /payments', kind: 'client', startMs: now - 500, endMs: now - 490, attributes: { 'peer.service': 'payments' }, events: [{ name: 'breaker.state', timeMs: now - 495, attributes: { 'faultline.breaker': 'payments', 'faultline.from': 'closed', 'faultline.to': 'open' } }] });
    await emitter.flush();

    await page.goto(`${collector.url}/#/transactions`);
    const stuck = page.getByTestId('tx-stuck');
    await expect(stuck.getByTestId('transaction')).toHaveCount(1);
    await expect(stuck.getByTestId('transaction')).toHaveAttribute('data-id', 'order-stuck-1');
    await expect(stuck.getByTestId('tx-age')).toContainText(/1\.\d min/);
    await expect(page.getByTestId('tx-compensating').getByTestId('transaction')).toHaveAttribute('data-id', 'order-undo-2');
    await expect(page.getByTestId('tx-in-flight').getByTestId('transaction')).toHaveAttribute('data-id', 'order-run-3');
    await expect(page.getByTestId('tx-finished').getByTestId('transaction')).toHaveAttribute('data-id', 'order-done-4');

    await stuck.getByRole('button', { name: 'order-stuck-1' }).click();
    const timeline = page.getByTestId('tx-timeline');
    await expect(timeline).toContainText('order-stuck-1');
    await expect(timeline.getByTestId('tx-step')).toHaveCount(2);
    await expect(timeline.getByTestId('tx-step').nth(0)).toContainText('reserve-stock');
    await expect(timeline.getByTestId('tx-step').nth(1)).toContainText('capture-payment');
    await expect(timeline.getByTestId('tx-step').nth(1)).toContainText('payments');

    // Alerts: the top bar names the firing one; the incidents page lists it.
    const badge = page.getByTestId('alert-badge');
    await expect(badge).not.toHaveAttribute('data-firing', '0', { timeout: 20_000 });
    await expect(badge).toContainText('alert');
    await screenshot(page, 'transactions');
    await badge.click();
    await expect(page.getByTestId('alert').filter({ hasText: 'BreakerOpen' })).toHaveAttribute('data-state', 'firing');
    await expect(page.getByTestId('alert').filter({ hasText: 'TransactionsStuck' })).toContainText('order-stuck-1');
    await screenshot(page, 'incidents-alerts');
  } finally {
    await emitter?.shutdown();
    await collector?.stop();
  }
});
