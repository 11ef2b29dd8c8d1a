import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createHttpTransport, replayEvents, SqliteOutbox, type EventEnvelope } from '@faultline/sdk/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDbReadOnly } from '../src/lib/db.js';
import { freePort } from '../src/lib/ports.js';
import { startShop, type Shop } from '../src/lib/shop.js';
import { ManagedProcess } from '../src/lib/supervisor.js';
import { FaultInjector } from '../src/scenarios/faults.js';
import { checkInvariants, readSnapshot, unsettled } from '../src/scenarios/invariants.js';
import { eventually } from './helpers.js';

type Row = { event_id: string | null; order_id: string; kind: string };

function notificationRows(path: string): Row[] {
  const db = openDbReadOnly(path);
  try {
    return db.prepare('SELECT event_id, order_id, kind FROM notifications ORDER BY event_id').all() as Row[];
  } finally {
    db.close();
  }
}

async function history(dbPath: string, source: string): Promise<EventEnvelope[]> {
  const db = new Database(dbPath);
  try {
    return (await new SqliteOutbox(db, { source }).history(0, 100_000)).map((r) => r.envelope);
  } finally {
    db.close();
  }
}

describe('duplicate and reordered event delivery', () => {
  let shop: Shop;
  let events: EventEnvelope[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'faultline-replay-'));

  beforeAll(async () => {
    // HTTP transport: the replay goes through the same receiver the relay uses.
    shop = await startShop({ mode: 'resilient', chaosEnabled: true, otlpEndpoint: 'http://127.0.0.1:9', natsUrl: '' });
    const injector = new FaultInjector(shop);
    // Half the shipments are refused, so cancellations (refund, release) produce events too.
    await injector.chaos('shipping', { kind: 'error', status: 400, rate: 0.5 });
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${shop.urls.gateway}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'sku-3', qty: 1 }) });
      await res.text();
    }
    await injector.end('shipping');
    const settled = await eventually(async () => (unsettled(shop.dbPaths, true).length === 0 ? true : undefined), 60_000);
    expect(settled, unsettled(shop.dbPaths, true).join('; ')).toBe(true);
    for (const source of ['orders', 'payments', 'inventory', 'shipping'] as const) events.push(...(await history(shop.dbPaths[source], source)));
  });

  afterAll(async () => {
    await shop?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaying every event twice, shuffled, changes nothing', { timeout: 120_000 }, async () => {
    const types = new Set(events.map((e) => e.type));
    expect(types).toContain('OrderConfirmed');
    expect(types).toContain('OrderCancelled');
    expect(types).toContain('PaymentRefunded');
    const before = notificationRows(shop.dbPaths.notifications);
    const invariantsBefore = checkInvariants(readSnapshot(shop.dbPaths));
    const result = await replayEvents(events, createHttpTransport({ subscribers: [{ url: `${shop.urls.notifications}/events` }] }), { copies: 2, seed: 11 });
    expect(result.error).toBeUndefined();
    expect(result.delivered).toBe(events.length * 2);
    expect(notificationRows(shop.dbPaths.notifications)).toEqual(before);
    expect(checkInvariants(readSnapshot(shop.dbPaths))).toEqual(invariantsBefore);
    expect(invariantsBefore.inconsistent).toBe(0);
  });

  it('a fresh consumer fed the doubled, shuffled history ends where in-order delivery did', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const fresh = new ManagedProcess({
      name: 'notifications-replica',
      script: 'src/services/notifications/main.ts',
      env: { MODE: 'resilient', PORT: String(port), DB_PATH: join(dir, 'replica.db'), OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', NATS_URL: '' },
      healthUrl: `http://127.0.0.1:${port}/healthz`,
      healthService: 'notifications',
    });
    try {
      await fresh.start({ readyTimeoutMs: 90_000 });
      const result = await replayEvents(events, createHttpTransport({ subscribers: [{ url: `http://127.0.0.1:${port}/events` }] }), { copies: 2, seed: 5 });
      expect(result.delivered).toBe(events.length * 2);
      // Early events were parked until their predecessors arrived; wait for the park to drain.
      const drained = await eventually(async () => {
        const db = openDbReadOnly(join(dir, 'replica.db'));
        try {
          const parked = (db.prepare('SELECT COUNT(*) AS n FROM faultline_inbox_parked').get() as { n: number }).n;
          return parked === 0 ? true : undefined;
        } finally {
          db.close();
        }
      }, 30_000);
      expect(drained).toBe(true);
      expect(notificationRows(join(dir, 'replica.db'))).toEqual(notificationRows(shop.dbPaths.notifications));
    } finally {
      await fresh.stop();
    }
  });
});
