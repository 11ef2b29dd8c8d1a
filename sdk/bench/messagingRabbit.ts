// RabbitMQ half of bench/messaging.ts: outbox relay → RabbitMQ against a raw
// confirm-channel publish of the same messages, and subscribeRabbitMq into the
// idempotent consumer (inbox on) against a raw manual-ack consume with a bare
// handler, both on the broker at AMQP_URL. Alternated rounds, best of each.
import { join } from 'node:path';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import {
  createRabbitMqTransport,
  deleteRabbitMqStream,
  IdempotentConsumer,
  OutboxRelay,
  parseEnvelope,
  SqliteInbox,
  subscribeRabbitMq,
  type EventEnvelope,
  type SqliteOutbox,
} from '../src/messaging/index.js';

interface Figure { events: number; seconds: number; eventsPerSec: number }
const figure = (events: number, ms: number): Figure => ({ events, seconds: +(ms / 1000).toFixed(3), eventsPerSec: Math.round(events / (ms / 1000)) });
const bestOf = (xs: Figure[]): Figure => xs.reduce((a, b) => (b.eventsPerSec > a.eventsPerSec ? b : a));

export interface RabbitBenchDeps {
  dir: string;
  events: readonly EventEnvelope[];
  /** A fresh outbox holding `n` events (the NATS half's helper). */
  outboxWith: (dbPath: string, n: number) => { db: Db; outbox: SqliteOutbox };
  batch: number;
  rounds: number;
}

const PREFETCH = 50;
const BUDGET_MS = 8000;

function options(e: EventEnvelope) {
  return { persistent: true, contentType: 'application/json', messageId: e.id, type: e.type, headers: { 'x-event-id': e.id, traceparent: e.traceparent ?? '' } };
}

async function rawPublish(ch: Channel & { waitForConfirms(): Promise<void> }, exchange: string, events: readonly EventEnvelope[], batch: number): Promise<Figure> {
  const t0 = performance.now();
  for (let i = 0; i < events.length; i += batch) {
    for (const e of events.slice(i, i + batch)) ch.publish(exchange, e.type, Buffer.from(JSON.stringify(e)), options(e));
    await ch.waitForConfirms();
  }
  return figure(events.length, performance.now() - t0);
}

async function relayPublish(url: string, stream: string, deps: RabbitBenchDeps, round: number): Promise<Figure> {
  const { db, outbox } = deps.outboxWith(join(deps.dir, `rabbit-relay-${round}.db`), deps.events.length);
  const transport = createRabbitMqTransport({ url, stream, consumerGroups: ['bench'] });
  const relay = new OutboxRelay({ outbox, transport, batchSize: deps.batch });
  await transport.publish([]);
  const t0 = performance.now();
  let sent = 0;
  while (sent < deps.events.length && performance.now() - t0 < BUDGET_MS) {
    const r = await relay.drainOnce();
    if (r.failed) throw r.error ?? new Error('publish failed');
    sent += r.published;
  }
  const ms = performance.now() - t0;
  await transport.close();
  db.close();
  return figure(sent, ms);
}

function projectionDb(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE projection (order_id TEXT PRIMARY KEY, total_cents INTEGER)');
  return db;
}

/** Bare consumer: manual ack per message after parse + one handler transaction; no inbox, no spans. */
async function rawConsume(conn: ChannelModel, queue: string, n: number, dbPath: string): Promise<Figure> {
  const db = projectionDb(dbPath);
  const insert = db.prepare('INSERT INTO projection VALUES (?, ?)');
  const apply = db.transaction((e: EventEnvelope<any>) => { insert.run(e.payload.orderId, e.payload.totalCents); });
  const ch = await conn.createChannel();
  await ch.prefetch(PREFETCH);
  let seen = 0;
  const t0 = performance.now();
  const done = new Promise<void>((resolve) => {
    void ch.consume(queue, (m) => {
      if (!m) return;
      apply(parseEnvelope(m.content));
      ch.ack(m);
      if (++seen >= n) resolve();
    });
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, BUDGET_MS))]);
  const ms = performance.now() - t0;
  await ch.close();
  db.close();
  return figure(seen, ms);
}

async function inboxConsume(url: string, stream: string, n: number, dbPath: string): Promise<Figure> {
  const db = projectionDb(dbPath);
  const insert = db.prepare('INSERT INTO projection VALUES (?, ?)');
  let seen = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  const consumer = new IdempotentConsumer<Db>({
    name: 'bench', inbox: new SqliteInbox(db),
    handlers: { OrderCreated: (e: EventEnvelope<any>) => { insert.run(e.payload.orderId, e.payload.totalCents); if (++seen >= n) resolveDone(); } },
  });
  await consumer.ensureSchema();
  const t0 = performance.now();
  const sub = subscribeRabbitMq({ url, stream, consumer, group: 'bench', prefetch: PREFETCH });
  await Promise.race([done, new Promise((r) => setTimeout(r, BUDGET_MS))]);
  const ms = performance.now() - t0;
  await sub.stop();
  await consumer.close();
  db.close();
  return figure(seen, ms);
}

/** Runs the RabbitMQ figures; returns JSON fields and report lines. */
export async function benchRabbitMq(url: string, deps: RabbitBenchDeps): Promise<{ result: Record<string, unknown>; lines: string[] }> {
  const conn = await connect(url);
  const suffix = `${process.pid}_${Date.now().toString(36)}`;
  const streams: string[] = [];
  const relays: Figure[] = [];
  const raws: Figure[] = [];
  const rawConsumes: Figure[] = [];
  const inboxConsumes: Figure[] = [];
  try {
    const ch = await conn.createConfirmChannel();
    for (let round = 0; round < deps.rounds; round++) {
      // Raw publish into a group queue, raw consume it; then the same through relay and subscriber.
      const rawStream = `flbench_raw_${suffix}_${round}`;
      const relayStream = `flbench_relay_${suffix}_${round}`;
      streams.push(rawStream, relayStream);
      await ch.assertExchange(rawStream, 'topic', { durable: true });
      await ch.assertQueue(`${rawStream}.bench`, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await ch.bindQueue(`${rawStream}.bench`, rawStream, '#');
      raws.push(await rawPublish(ch, rawStream, deps.events, deps.batch));
      rawConsumes.push(await rawConsume(conn, `${rawStream}.bench`, deps.events.length, join(deps.dir, `rabbit-raw-${round}.db`)));
      relays.push(await relayPublish(url, relayStream, deps, round));
      inboxConsumes.push(await inboxConsume(url, relayStream, deps.events.length, join(deps.dir, `rabbit-inbox-${round}.db`)));
    }
  } finally {
    await conn.close().catch(() => undefined);
    for (const s of streams) await deleteRabbitMqStream({ url, stream: s, groups: ['bench'] }).catch(() => undefined);
  }
  const relay = bestOf(relays);
  const raw = bestOf(raws);
  const rc = bestOf(rawConsumes);
  const ic = bestOf(inboxConsumes);
  const result = {
    relayToRabbitMq: { ...relay, rounds: relays.map((f) => f.eventsPerSec) },
    rawRabbitMqPublish: { ...raw, rounds: raws.map((f) => f.eventsPerSec) },
    rabbitRelayVsRawRatio: +(relay.eventsPerSec / raw.eventsPerSec).toFixed(3),
    rabbitConsumerInboxOn: { ...ic, rounds: inboxConsumes.map((f) => f.eventsPerSec) },
    rawRabbitMqConsume: { ...rc, rounds: rawConsumes.map((f) => f.eventsPerSec) },
    rabbitConsumerVsRawRatio: +(ic.eventsPerSec / rc.eventsPerSec).toFixed(3),
  };
  const lines = [
    `messaging: outbox relay → RabbitMQ ${relay.eventsPerSec} events/s vs raw confirm-channel publish ${raw.eventsPerSec} events/s (batch ${deps.batch}), ratio ${result.rabbitRelayVsRawRatio}`,
    `messaging: RabbitMQ → consumer, inbox on ${ic.eventsPerSec} events/s vs raw manual-ack consume ${rc.eventsPerSec} events/s (prefetch ${PREFETCH}), ratio ${result.rabbitConsumerVsRawRatio}`,
  ];
  return { result, lines };
}
