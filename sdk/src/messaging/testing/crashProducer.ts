/**
 * Child process for the crash tests: writes an order through the outbox in
 * a real SQLite file, then kills itself with SIGKILL at the requested point.
 *   CRASH_AT=before-publish  after the commit, before any relay ran
 *   CRASH_AT=after-publish   after the broker acknowledged, before the row was marked sent
 * Env: DB_PATH, ORDER_ID, TRANSPORT=nats|http, NATS_URL, STREAM, SUBSCRIBER_URL.
 */
import { OutboxRelay } from '../relay/OutboxRelay.js';
import { createHttpTransport } from '../transport/HttpTransport.js';
import { createNatsTransport } from '../transport/NatsTransport.js';
import type { Transport } from '../transport/Transport.js';
import { ordersDb, placeOrder } from './shop.js';

const { db, outbox } = ordersDb(process.env.DB_PATH!);
placeOrder(db, outbox, process.env.ORDER_ID!, 4200);
process.stdout.write('committed\n');

if (process.env.CRASH_AT === 'before-publish') {
  process.kill(process.pid, 'SIGKILL');
}

const real: Transport = process.env.TRANSPORT === 'http'
  ? createHttpTransport({ subscribers: [{ url: process.env.SUBSCRIBER_URL! }] })
  : createNatsTransport({ servers: process.env.NATS_URL!, stream: process.env.STREAM! });

const crashing: Transport = {
  system: real.system,
  destinationOf: (e) => real.destinationOf(e),
  async publish(events) {
    const result = await real.publish(events);
    if (result.published > 0) {
      process.stdout.write('published\n');
      process.kill(process.pid, 'SIGKILL');
    }
    return result;
  },
  close: () => real.close(),
};

new OutboxRelay({ outbox, transport: crashing, pollIntervalMs: 10 }).start();
