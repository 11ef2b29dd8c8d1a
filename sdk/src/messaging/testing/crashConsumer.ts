/**
 * Child process for the RabbitMQ crash test: consumes a group's queue into a
 * SQLite file and kills itself with SIGKILL right after the first event was
 * applied and committed, before the broker saw the ack.
 * Env: DB_PATH, AMQP_URL, STREAM, GROUP.
 */
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { IdempotentConsumer } from '../consumer/IdempotentConsumer.js';
import { SqliteInbox } from '../consumer/SqliteInbox.js';
import { subscribeRabbitMq } from '../transport/rabbitmqSubscriber.js';
import { projectionHandlers } from './shop.js';

const db = new Database(process.env.DB_PATH!);
db.exec(`CREATE TABLE IF NOT EXISTS projection (order_id TEXT PRIMARY KEY, status TEXT, total_cents INTEGER, history TEXT NOT NULL DEFAULT '')`);
const consumer = new IdempotentConsumer<Db>({ name: process.env.GROUP!, inbox: new SqliteInbox(db), handlers: projectionHandlers });
await consumer.ensureSchema();
const handle = consumer.handle.bind(consumer);
consumer.handle = async (raw, delivery) => {
  const outcome = await handle(raw, delivery);
  if (outcome.kind === 'processed') {
    process.stdout.write('applied\n');
    process.kill(process.pid, 'SIGKILL');
  }
  return outcome;
};
const sub = subscribeRabbitMq({ url: process.env.AMQP_URL!, stream: process.env.STREAM!, consumer, group: process.env.GROUP! });
await sub.ready;
process.stdout.write('ready\n');
