// Messaging throughput: outbox relay → JetStream (and → RabbitMQ, see
// messagingRabbit.ts) against a raw publish on the same broker, and the idempotent consumer (inbox on) against a bare handler
// (inbox off). Standalone, bounded well under 60 s. Writes
// bench/results/messaging.json and prints one line per figure.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import {
  createNatsTransport,
  IdempotentConsumer,
  OutboxRelay,
  parseEnvelope,
  SqliteInbox,
  SqliteOutbox,
  type EventEnvelope,
} from '../src/messaging/index.js';
import { benchRabbitMq } from './messagingRabbit.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(here, '..', '..', 'bench', 'results', 'messaging.json');
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const RABBIT_EVENTS = Number(process.env.BENCH_MSG_RABBIT_EVENTS ?? 5000);
const EVENTS = Number(process.env.BENCH_MSG_EVENTS ?? 5000);
const ROUNDS = 2;
const CONSUMER_EVENTS = Number(process.env.BENCH_MSG_CONSUMER_EVENTS ?? 5000);
const BATCH = 500;
const PHASE_BUDGET_MS = 8000; // each timed phase stops here even if unfinished
const started = Date.now();

function natsReachable(url = NATS_URL, port = 4222): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || port) });
    s.setTimeout(1000, () => { s.destroy(); resolve(false); });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

function fileDb(dir: string, name: string): Db {
  const db = new Database(join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

const payload = (i: number) => ({ orderId: `order-${i}`, customerId: `c-${i % 97}`, totalCents: 1000 + i, items: [{ sku: 'sku-1', qty: 2 }, { sku: 'sku-2', qty: 1 }] });

function fillOutbox(db: Db, n: number): SqliteOutbox {
  db.exec('CREATE TABLE orders (id TEXT PRIMARY KEY, total_cents INTEGER)');
  const outbox = new SqliteOutbox(db, { source: 'orders' });
  outbox.ensureSchema();
  const insert = db.prepare('INSERT INTO orders VALUES (?, ?)');
  for (let i = 0; i < n; i += 1000) {
    db.transaction(() => {
      for (let j = i; j < Math.min(n, i + 1000); j++) {
        insert.run(`order-${j}`, 1000 + j);
        outbox.add(db, { type: 'OrderCreated', key: `order-${j}`, payload: payload(j) });
      }
    })();
  }
  return outbox;
}

interface Figure { events: number; seconds: number; eventsPerSec: number }
const bestOf = (xs: Figure[]): Figure => xs.reduce((a, b) => (b.eventsPerSec > a.eventsPerSec ? b : a));
const figure = (events: number, ms: number): Figure => ({ events, seconds: +(ms / 1000).toFixed(3), eventsPerSec: Math.round(events / (ms / 1000)) });

async function relayToJetStream(nc: NatsConnection, dir: string, stream: string, n: number): Promise<Figure> {
  const db = fileDb(dir, `${stream}.db`);
  const outbox = fillOutbox(db, n);
  const transport = createNatsTransport({ connection: nc, stream });
  const relay = new OutboxRelay({ outbox, transport, batchSize: BATCH });
  await transport.publish([]); // nothing; stream is created on the first real batch
  const t0 = performance.now();
  let sent = 0;
  while (sent < n && performance.now() - t0 < PHASE_BUDGET_MS) {
    const r = await relay.drainOnce();
    if (r.failed) throw r.error ?? new Error('publish failed');
    sent += r.published;
  }
  const ms = performance.now() - t0;
  db.close();
  return figure(sent, ms);
}

async function rawJetStream(nc: NatsConnection, stream: string, events: readonly EventEnvelope[]): Promise<Figure> {
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const js = nc.jetstream();
  const enc = new TextEncoder();
  const t0 = performance.now();
  let sent = 0;
  for (let i = 0; i < events.length && performance.now() - t0 < PHASE_BUDGET_MS; i += BATCH) {
    const batch = events.slice(i, i + BATCH);
    await Promise.all(batch.map((e) => {
      const h = natsHeaders();
      if (e.traceparent) h.set('traceparent', e.traceparent);
      return js.publish(`${stream}.${e.type}`, enc.encode(JSON.stringify(e)), { msgID: e.id, headers: h });
    }));
    sent += batch.length;
  }
  return figure(sent, performance.now() - t0);
}

function producedEvents(dir: string, n: number): EventEnvelope[] {
  const db = fileDb(dir, 'produced.db');
  const outbox = fillOutbox(db, n);
  const rows = db.prepare('SELECT envelope FROM faultline_outbox ORDER BY id').all() as { envelope: string }[];
  db.close();
  void outbox;
  return rows.map((r) => JSON.parse(r.envelope) as EventEnvelope);
}

const projectionSql = 'CREATE TABLE projection (order_id TEXT PRIMARY KEY, total_cents INTEGER)';
function project(tx: Db, e: EventEnvelope<any>): void {
  tx.prepare('INSERT INTO projection VALUES (?, ?)').run(e.payload.orderId, e.payload.totalCents);
}

async function consumerInboxOn(dir: string, wire: readonly Uint8Array[], ordering: boolean): Promise<Figure> {
  const db = fileDb(dir, `inbox-on-${ordering}.db`);
  db.exec(projectionSql);
  const insert = db.prepare('INSERT INTO projection VALUES (?, ?)');
  const consumer = new IdempotentConsumer<Db>({
    name: 'bench', inbox: new SqliteInbox(db), ordering,
    handlers: { OrderCreated: (e: EventEnvelope<any>) => { insert.run(e.payload.orderId, e.payload.totalCents); } },
  });
  await consumer.ensureSchema();
  const t0 = performance.now();
  let n = 0;
  for (const m of wire) {
    const o = await consumer.handle(m, { system: 'nats', destination: 'bench.OrderCreated' });
    if (o.kind !== 'processed') throw new Error(`unexpected outcome ${o.kind}`);
    if (++n % 1000 === 0 && performance.now() - t0 > PHASE_BUDGET_MS) break;
  }
  const ms = performance.now() - t0;
  await consumer.close();
  db.close();
  return figure(n, ms);
}

async function consumerInboxOff(dir: string, wire: readonly Uint8Array[]): Promise<Figure> {
  const db = fileDb(dir, 'inbox-off.db');
  db.exec(projectionSql);
  void project;
  const insert = db.prepare('INSERT INTO projection VALUES (?, ?)');
  const apply = db.transaction((e: EventEnvelope<any>) => { insert.run(e.payload.orderId, e.payload.totalCents); });
  const t0 = performance.now();
  let n = 0;
  for (const m of wire) {
    // Same validation and one transaction per event; no inbox, no spans.
    apply(parseEnvelope(m));
    await Promise.resolve();
    if (++n % 1000 === 0 && performance.now() - t0 > PHASE_BUDGET_MS) break;
  }
  const ms = performance.now() - t0;
  db.close();
  return figure(n, ms);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-msg-'));
  const result: Record<string, unknown> = {
    node: process.version,
    batchSize: BATCH,
    note: 'sqlite files in WAL mode (synchronous=NORMAL); JetStream on NATS_URL, file storage; spans go to a real NodeTracerProvider with a discarding exporter',
  };
  const lines: string[] = [];
  // Real tracing pipeline so span cost is included, export discarded.
  const discard: SpanExporter = { export: (_s, cb) => cb({ code: ExportResultCode.SUCCESS }), shutdown: async () => undefined };
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard, { maxQueueSize: 65_536 })] });
  provider.register();
  try {
    if (await natsReachable()) {
      const nc = await connect({ servers: NATS_URL });
      const suffix = `${process.pid}_${Date.now().toString(36)}`;
      const streams: string[] = [];
      try {
        // Alternate the two so that neither gets the warm (or noisy) half of
        // the run; best round of each is reported.
        const events = producedEvents(mkdtempSync(join(dir, 'p-')), EVENTS);
        const warm = `FLBENCH_WARM_${suffix}`;
        streams.push(warm);
        await rawJetStream(nc, warm, events.slice(0, 1000));
        const relays: Figure[] = [];
        const raws: Figure[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const rawStream = `FLBENCH_RAW_${suffix}_${round}`;
          const relayStream = `FLBENCH_RELAY_${suffix}_${round}`;
          streams.push(rawStream, relayStream);
          raws.push(await rawJetStream(nc, rawStream, events));
          relays.push(await relayToJetStream(nc, dir, relayStream, EVENTS));
        }
        const relay = bestOf(relays);
        const raw = bestOf(raws);
        result.relayToJetStream = { ...relay, rounds: relays.map((r) => r.eventsPerSec) };
        result.rawJetStreamPublish = { ...raw, rounds: raws.map((r) => r.eventsPerSec) };
        result.relayVsRawRatio = +(relay.eventsPerSec / raw.eventsPerSec).toFixed(3);
        lines.push(`messaging: outbox relay → JetStream ${relay.eventsPerSec} events/s (best of ${ROUNDS} x ${relay.events} events, batch ${BATCH})`);
        lines.push(`messaging: raw JetStream publish ${raw.eventsPerSec} events/s (best of ${ROUNDS} x ${raw.events} events, pipelined ${BATCH})`);
        lines.push(`messaging: relay/raw ratio ${result.relayVsRawRatio}`);
      } finally {
        const jsm = await nc.jetstreamManager();
        for (const st of streams) await jsm.streams.delete(st).catch(() => undefined);
        await nc.drain();
      }
    } else {
      result.relayToJetStream = null;
      result.rawJetStreamPublish = null;
      result.skipped = `NATS unreachable at ${NATS_URL}`;
      lines.push(`messaging: JetStream figures skipped (NATS unreachable at ${NATS_URL})`);
    }

    if (await natsReachable(AMQP_URL, 5672)) {
      const rabbit = await benchRabbitMq(AMQP_URL, {
        dir, events: producedEvents(mkdtempSync(join(dir, 'rp-')), RABBIT_EVENTS), batch: BATCH, rounds: ROUNDS,
        outboxWith: (path, n) => {
          const db = fileDb(dirname(path), basename(path));
          return { db, outbox: fillOutbox(db, n) };
        },
      });
      Object.assign(result, rabbit.result);
      lines.push(...rabbit.lines);
    } else {
      result.rabbitSkipped = `RabbitMQ unreachable at ${new URL(AMQP_URL).host}`;
      lines.push(`messaging: RabbitMQ figures skipped (unreachable at ${new URL(AMQP_URL).host})`);
    }

    const wire = producedEvents(mkdtempSync(join(dir, 'c-')), CONSUMER_EVENTS).map((e) => new TextEncoder().encode(JSON.stringify(e)));
    // Alternated rounds, best of each: the machine is shared, single runs swing 2x.
    const offs: Figure[] = [];
    const ons: Figure[] = [];
    const ordered: Figure[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const rdir = mkdtempSync(join(dir, `r${round}-`));
      offs.push(await consumerInboxOff(rdir, wire));
      ons.push(await consumerInboxOn(rdir, wire, false));
      ordered.push(await consumerInboxOn(rdir, wire, true));
    }
    const off = { ...bestOf(offs), rounds: offs.map((f) => f.eventsPerSec) };
    const on = { ...bestOf(ons), rounds: ons.map((f) => f.eventsPerSec) };
    const onOrdered = { ...bestOf(ordered), rounds: ordered.map((f) => f.eventsPerSec) };
    result.consumerInboxOff = off;
    result.consumerInboxOn = on;
    result.consumerInboxOnOrdered = onOrdered;
    result.inboxOnVsOffRatio = +(on.eventsPerSec / off.eventsPerSec).toFixed(3);
    lines.push(`messaging: consumer inbox off (validate + handler tx) ${off.eventsPerSec} events/s (best of ${ROUNDS})`);
    lines.push(`messaging: consumer inbox on (dedupe + span) ${on.eventsPerSec} events/s, ratio ${result.inboxOnVsOffRatio}`);
    lines.push(`messaging: consumer inbox on + per-key ordering ${onOrdered.eventsPerSec} events/s`);
  } finally {
    await provider.shutdown();
    trace.disable();
    rmSync(dir, { recursive: true, force: true });
  }
  result.totalSeconds = +((Date.now() - started) / 1000).toFixed(1);
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
  for (const l of lines) console.log(l);
  console.log(`messaging: wrote ${resultsFile} in ${result.totalSeconds} s`);
}

const guard = setTimeout(() => {
  console.error('messaging bench: exceeded 55 s, aborting');
  process.exit(1);
}, 55_000);
guard.unref();
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
