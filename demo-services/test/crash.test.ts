import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDbReadOnly } from '../src/lib/db.js';
import { deleteStream } from '../src/lib/natsAdmin.js';
import { startShop } from '../src/lib/shop.js';
import { sleep } from '../src/lib/sleep.js';
import { FaultInjector } from '../src/scenarios/faults.js';
import { checkInvariants, readSnapshot, unsettled } from '../src/scenarios/invariants.js';
import { runLoad } from '../src/scenarios/load.js';
import { eventually } from './helpers.js';
import { natsForTests } from './services.js';

function query<T>(path: string, sql: string, ...params: unknown[]): T[] {
  const db = openDbReadOnly(path);
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

describe('orders killed with SIGKILL in the middle of saga steps', () => {
  it('resumes or compensates every saga after the restart, and the invariants hold', { timeout: 240_000 }, async () => {
    const nats = await natsForTests();
    const stream = `SHOP_CRASH_${randomBytes(4).toString('hex').toUpperCase()}`;
    const shop = await startShop({
      mode: 'resilient',
      chaosEnabled: true,
      otlpEndpoint: 'http://127.0.0.1:9',
      ...(nats.url ? { natsUrl: nats.url, natsStream: stream } : {}),
    });
    const injector = new FaultInjector(shop);
    try {
      // Captures take 1.2 s (under the 2 s attempt timeout), so sagas sit inside the capture step.
      await injector.chaos('payments', { kind: 'latency', ms: 1200, rate: 1 });
      const load = runLoad({ url: shop.urls.gateway, rps: () => 4, durationMs: 6000, seed: 3, timeoutMs: 30_000 });
      const caught = await eventually(async () => {
        const rows = query<{ order_id: string }>(shop.dbPaths.orders, "SELECT order_id FROM sagas WHERE phase = 'forward' AND step = 1");
        return rows.length >= 2 ? rows.map((r) => r.order_id) : undefined;
      }, 30_000, 25);
      expect(caught, 'no saga was caught between steps').toBeDefined();
      const killedAtMs = Date.now();
      await shop.process('orders').kill();
      await sleep(300);
      await shop.process('orders').start();
      await load;
      await injector.end('payments');

      const settled = await eventually(async () => (unsettled(shop.dbPaths, true).length === 0 ? true : undefined), 90_000);
      expect(settled, unsettled(shop.dbPaths, true).join('; ')).toBe(true);
      // Every saga caught mid-step was carried on by the restarted process, to an end.
      for (const id of caught!) {
        const after = query<{ outcome: string }>(shop.dbPaths.orders, 'SELECT outcome FROM saga_log WHERE order_id = ? AND at_ms > ?', id, killedAtMs);
        expect(after.length, `saga ${id} made no progress after the restart`).toBeGreaterThan(0);
        const [order] = query<{ status: string }>(shop.dbPaths.orders, 'SELECT status FROM orders WHERE id = ?', id);
        expect(['confirmed', 'cancelled']).toContain(order!.status);
      }
      await shop.supervisor.stopAll();
      const inv = checkInvariants(readSnapshot(shop.dbPaths));
      expect(inv.inconsistent, JSON.stringify(inv)).toBe(0);
      expect(inv.pending).toBe(0);
      expect(inv.doubleCharges).toBe(0);
      expect(inv.chargedWithoutReservation).toBe(0);
    } finally {
      await injector.releasePorts();
      await shop.close();
      if (nats.url) await deleteStream(nats.url, stream).catch(() => undefined);
    }
  });
});
