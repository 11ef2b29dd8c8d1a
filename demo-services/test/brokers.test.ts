import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { createNatsTransport, createRabbitMqTransport, replayEvents, SqliteOutbox, type EventEnvelope, type Transport } from '@faultline/sdk/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteEventStream, resolveBroker, type BrokerChoice } from '../src/lib/broker.js';
import { openDbReadOnly } from '../src/lib/db.js';
import { startShop, type Shop } from '../src/lib/shop.js';
import { FaultInjector } from '../src/scenarios/faults.js';
import { checkInvariants, readSnapshot, unsettled } from '../src/scenarios/invariants.js';
import { runScenario } from '../src/scenarios/runner.js';
import { eventually, getJson, startTestCollector } from './helpers.js';
import { natsForTests, rabbitForTests } from './services.js';

describe('DEMO_BROKER', () => {
  it.each([
    [{}, { broker: 'http' }],
    [{ NATS_URL: 'nats://n:4222' }, { broker: 'nats', natsUrl: 'nats://n:4222' }],
    [{ DEMO_BROKER: 'nats' }, { broker: 'nats', natsUrl: 'nats://127.0.0.1:4222' }],
    [{ DEMO_BROKER: 'rabbitmq' }, { broker: 'rabbitmq', amqpUrl: 'amqp://guest:guest@127.0.0.1:5672' }],
    [{ DEMO_BROKER: 'rabbitmq', AMQP_URL: 'amqp://u:p@h:1', NATS_URL: 'nats://n:4222' }, { broker: 'rabbitmq', amqpUrl: 'amqp://u:p@h:1' }],
    [{ DEMO_BROKER: 'http', NATS_URL: 'nats://n:4222' }, { broker: 'http' }],
    [{ AMQP_URL: 'amqp://u:p@h:1' }, { broker: 'http' }],
  ])('%j → %j', (env, expected) => {
    expect(resolveBroker(env as NodeJS.ProcessEnv)).toEqual(expected);
  });

  it('names the allowed values for anything else', () => {
    expect(() => resolveBroker({ DEMO_BROKER: 'kafka' })).toThrow(/http, nats or rabbitmq, got kafka/);
  });
});

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

const nats = await natsForTests();
const amqpUrl = await rabbitForTests();
const brokers: { name: string; choice: BrokerChoice | undefined }[] = [
  { name: 'NATS JetStream', choice: nats.url ? { broker: 'nats', natsUrl: nats.url } : undefined },
  { name: 'RabbitMQ', choice: amqpUrl ? { broker: 'rabbitmq', amqpUrl } : undefined },
];

describe.each(brokers)('duplicate and reordered delivery through $name', ({ choice }) => {
  let shop: Shop | undefined;
  const stream = `SHOP_DRILL_${randomBytes(4).toString('hex').toUpperCase()}`;

  function replayTransport(c: BrokerChoice): Transport {
    // JetStream would drop the copies by event id: the drill must get them past the broker.
    return c.broker === 'nats'
      ? createNatsTransport({ stream, servers: c.natsUrl!, brokerDedupe: false })
      : createRabbitMqTransport({ stream, url: c.amqpUrl! });
  }

  beforeAll(async () => {
    if (!choice) return;
    shop = await startShop({
      mode: 'resilient', chaosEnabled: true, otlpEndpoint: 'http://127.0.0.1:9', natsStream: stream,
      ...(choice.broker === 'nats' ? { broker: 'nats' as const, natsUrl: choice.natsUrl! } : { broker: 'rabbitmq' as const, amqpUrl: choice.amqpUrl! }),
    });
    const injector = new FaultInjector(shop);
    await injector.chaos('shipping', { kind: 'error', status: 400, rate: 0.5 });
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${shop.urls.gateway}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'sku-3', qty: 1 }) });
      await res.text();
    }
    await injector.end('shipping');
  }, 180_000);

  afterAll(async () => {
    await shop?.close();
    if (choice) await deleteEventStream(choice, stream).catch(() => undefined);
  }, 60_000);

  it.skipIf(!choice)('every event arrives through the broker; replaying them twice, shuffled, through the broker changes nothing', { timeout: 180_000 }, async () => {
    const s = shop!;
    const settled = await eventually(async () => (unsettled(s.dbPaths, true).length === 0 ? true : undefined), 90_000);
    expect(settled, unsettled(s.dbPaths, true).join('; ')).toBe(true);
    const events: EventEnvelope[] = [];
    for (const source of ['orders', 'payments', 'inventory', 'shipping'] as const) events.push(...(await history(s.dbPaths[source], source)));
    expect(new Set(events.map((e) => e.type))).toContain('OrderCancelled');
    const before = notificationRows(s.dbPaths.notifications);
    expect(before.length).toBeGreaterThan(0);
    const invariantsBefore = checkInvariants(readSnapshot(s.dbPaths));
    expect(invariantsBefore.inconsistent).toBe(0);

    const transport = replayTransport(choice!);
    const result = await replayEvents(events, transport, { copies: 2, seed: 11 });
    await transport.close();
    expect(result.error).toBeUndefined();
    expect(result.delivered).toBe(events.length * 2);
    // A new order after the replay: once its notification is in, every copy queued before it was consumed.
    const known = new Set(before.map((r) => r.order_id));
    const res = await fetch(`${s.urls.gateway}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'sku-3', qty: 1 }) });
    expect(res.status).toBe(201);
    await res.text();
    const sentinelSeen = await eventually(async () => (notificationRows(s.dbPaths.notifications).some((r) => !known.has(r.order_id)) ? true : undefined), 60_000);
    expect(sentinelSeen).toBe(true);
    await eventually(async () => (unsettled(s.dbPaths, true).length === 0 ? true : undefined), 60_000);
    expect(notificationRows(s.dbPaths.notifications).filter((r) => known.has(r.order_id))).toEqual(before);
    const after = checkInvariants(readSnapshot(s.dbPaths));
    expect(after).toMatchObject({ orders: invariantsBefore.orders + 1, inconsistent: 0, doubleCharges: 0 });
  });
});

describe.skipIf(!amqpUrl)('notifications-flapping on RabbitMQ', () => {
  it('holds every invariant in resilient mode; its spans carry the run\'s service.namespace', { timeout: 240_000 }, async () => {
    const collector = await startTestCollector();
    const namespace = `scenario-test-${randomBytes(3).toString('hex')}`;
    let r;
    try {
      r = await runScenario({ scenario: 'notifications-flapping', mode: 'resilient', durationS: 8, rps: 4, seed: 7, broker: 'rabbitmq', amqpUrl: amqpUrl!, otlpEndpoint: collector.url, namespace });
      const marked = await eventually(async () => {
        const { body } = await getJson<{ traceId: string }[]>(`${collector.url}/api/traces?namespace=${namespace}&limit=5`);
        return body.length > 0 ? body : undefined;
      }, 30_000);
      expect(marked, 'no trace carries the run namespace').toBeDefined();
      expect((await getJson<unknown[]>(`${collector.url}/api/traces?namespace=another-run`)).body).toEqual([]);
    } finally {
      await collector.close();
    }
    expect(r.settled).toBe(true);
    expect(r).toMatchObject({ namespace, broker: 'rabbitmq' });
    expect(r.faults.map((f) => f.kind)).toContain('down');
    expect(r.invariants).toMatchObject({ pending: 0, chargedWithoutReservation: 0, doubleCharges: 0, reservedWithoutPayment: 0, inconsistent: 0 });
    expect(r.invariants.orders).toBeGreaterThan(0);
  });
});
