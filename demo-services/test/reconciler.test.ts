import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../src/lib/shop.js';
import { checkInvariants, readSnapshot } from '../src/scenarios/invariants.js';
import { eventually } from './helpers.js';

describe('reconciler', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop({ mode: 'resilient', otlpEndpoint: 'http://127.0.0.1:9', natsUrl: '' });
  });
  afterAll(async () => {
    await shop?.close();
  });

  it('finds a cancelled order the services still hold, and refunds, releases and cancels it', { timeout: 90_000 }, async () => {
    const res = await fetch(`${shop.urls.gateway}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":"sku-1","qty":2}' });
    const { orderId, status } = (await res.json()) as { orderId: string; status: string };
    expect(status).toBe('confirmed');
    // Drill: orders' own record now says cancelled (as after a lost compensation), un-audited.
    const db = new Database(shop.dbPaths.orders);
    db.pragma('busy_timeout = 5000');
    db.prepare("UPDATE orders SET status = 'cancelled', reconciled_ms = NULL, updated_ms = ? WHERE id = ?").run(Date.now() - 5000, orderId);
    db.close();

    const repaired = await eventually(async () => {
      const s = readSnapshot(shop.dbPaths);
      const live = s.payments.some((p) => p.order_id === orderId && p.status === 'captured') || s.reservations.some((r) => r.order_id === orderId && r.status === 'reserved') || s.shipments.some((x) => x.order_id === orderId && x.status === 'created');
      return live ? undefined : s;
    }, 30_000);
    expect(repaired, 'the reconciler never undid the effects').toBeDefined();
    const inv = checkInvariants(repaired!);
    expect(inv.reconciled).toBe(3);
    expect(inv.chargedWithoutReservation).toBe(0);
    expect(inv.reservedWithoutPayment).toBe(0);
  });
});
