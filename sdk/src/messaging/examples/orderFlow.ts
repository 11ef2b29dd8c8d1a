/**
 * Runnable example: `orders` writes an order and publishes OrderCreated
 * through its outbox; `notifications` consumes it idempotently. Each service
 * has its own SQLite database. Transport: HTTP by default, JetStream with
 * `--nats` (uses NATS_URL).
 *
 *   pnpm --filter @faultline/sdk exec tsx src/messaging/examples/orderFlow.ts [--nats]
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import express from 'express';
import {
  createHttpTransport,
  createNatsTransport,
  httpReceiver,
  IdempotentConsumer,
  OutboxRelay,
  SqliteInbox,
  SqliteOutbox,
  subscribeNats,
  type EventEnvelope,
  type Transport,
} from '../index.js';

interface OrderCreated {
  orderId: string;
  email: string;
  totalCents: number;
}

/** notifications: its own database, an idempotent consumer, an HTTP endpoint for events. */
async function startNotifications(dbPath: string) {
  const db = new Database(dbPath);
  db.exec('CREATE TABLE IF NOT EXISTS emails (order_id TEXT PRIMARY KEY, address TEXT NOT NULL, body TEXT NOT NULL)');
  const consumer = new IdempotentConsumer<Db>({
    name: 'notifications',
    inbox: new SqliteInbox(db),
    ordering: true,
    handlers: {
      // Runs inside the inbox transaction: the email row and the "seen" mark commit together.
      OrderCreated: (event: EventEnvelope<OrderCreated>, { tx }) => {
        tx.prepare('INSERT INTO emails (order_id, address, body) VALUES (?, ?, ?)')
          .run(event.payload.orderId, event.payload.email, `Thanks! Order ${event.payload.orderId}: ${event.payload.totalCents / 100} EUR`);
      },
    },
  });
  await consumer.ensureSchema();
  const app = express();
  app.post('/events', httpReceiver(consumer));
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    db,
    consumer,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    emails: () => db.prepare('SELECT order_id, address FROM emails ORDER BY order_id').all(),
    close: async () => {
      await consumer.close();
      await new Promise((r) => server.close(r));
      db.close();
    },
  };
}

/** orders: writes the order and the event in one transaction; the relay publishes. */
function startOrders(dbPath: string, transport: Transport) {
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, email TEXT NOT NULL, total_cents INTEGER NOT NULL)');
  const outbox = new SqliteOutbox(db, { source: 'orders' });
  outbox.ensureSchema();
  const relay = new OutboxRelay({ outbox, transport });
  relay.start();
  const placeOrder = (email: string, totalCents: number): string => {
    const orderId = randomUUID();
    db.transaction(() => {
      db.prepare('INSERT INTO orders (id, email, total_cents) VALUES (?, ?, ?)').run(orderId, email, totalCents);
      outbox.add<OrderCreated>(db, { type: 'OrderCreated', key: orderId, payload: { orderId, email, totalCents } });
    })();
    relay.wake(); // publish now rather than at the next poll
    return orderId;
  };
  return {
    placeOrder,
    relay,
    close: async () => {
      await relay.stop();
      await transport.close();
      db.close();
    },
  };
}

export async function runExample(options: { nats?: boolean; natsUrl?: string; orders?: number } = {}) {
  const notifications = await startNotifications(':memory:');
  const stream = `EXAMPLE_${process.pid}_${Date.now().toString(36)}`;
  const transport: Transport = options.nats
    ? createNatsTransport({ servers: options.natsUrl ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222', stream })
    : createHttpTransport({ subscribers: [{ url: notifications.url }] });
  const subscription = options.nats
    ? subscribeNats({ servers: options.natsUrl ?? process.env.NATS_URL, stream, consumer: notifications.consumer })
    : undefined;
  await subscription?.ready;
  const orders = startOrders(':memory:', transport);
  try {
    const ids = Array.from({ length: options.orders ?? 3 }, (_, i) => orders.placeOrder(`buyer${i}@example.com`, 1999 + i));
    const deadline = Date.now() + 10_000;
    // Delivered (emails written) and acknowledged (outbox rows marked sent).
    while (Date.now() < deadline) {
      if (notifications.emails().length >= ids.length && (await orders.relay.lag()).pending === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return { ids, emails: notifications.emails(), lag: await orders.relay.lag() };
  } finally {
    await orders.close();
    await subscription?.stop();
    if (options.nats) {
      const { connect } = await import('nats');
      const nc = await connect({ servers: options.natsUrl ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
      await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
      await nc.drain();
    }
    await notifications.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runExample({ nats: process.argv.includes('--nats') });
  console.log(`placed ${result.ids.length} orders; notifications sent ${result.emails.length} emails; outbox lag ${JSON.stringify(result.lag)}`);
}
