import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SpanKind } from '@opentelemetry/api';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { IdempotentConsumer } from '../consumer/IdempotentConsumer.js';
import { SqliteInbox } from '../consumer/SqliteInbox.js';
import type { ConsumeOutcome } from '../consumer/steps.js';
import { OutboxRelay } from '../relay/OutboxRelay.js';
import { replayEvents } from '../replay.js';
import { AMQP_URL, serviceAvailable, uniqueName } from '../testing/services.js';
import { changeOrder, ordersDb, placeOrder, projection, projectionDb, projectionHandlers } from '../testing/shop.js';
import { registerTestTracing } from '../testing/tracing.js';
import { createRabbitMqTransport } from './rabbitmq.js';
import { resolveTopology } from './rabbitmqSetup.js';
import { subscribeRabbitMq } from './rabbitmqSubscriber.js';

const available = await serviceAvailable('RabbitMQ');
const tracing = registerTestTracing();
const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(here, '../../../..');
const run = promisify(execFile);

/** Counts every outcome, so tests wait for conditions instead of sleeping. */
function counted(consumer: IdempotentConsumer<Db>): ConsumeOutcome['kind'][] {
  const kinds: ConsumeOutcome['kind'][] = [];
  const handle = consumer.handle.bind(consumer);
  consumer.handle = async (raw, d) => {
    const o = await handle(raw, d);
    kinds.push(o.kind);
    return o;
  };
  return kinds;
}

describe.skipIf(!available)('RabbitMQ transport (real broker)', () => {
  const streams: { stream: string; groups: string[] }[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const tmp = mkdtempSync(path.join(tmpdir(), 'faultline-amqp-'));
  let brokerStopped = false;

  function newStream(...groups: string[]): string {
    const stream = uniqueName('fltest');
    streams.push({ stream, groups });
    return stream;
  }

  async function withChannel<T>(fn: (ch: Channel) => Promise<T>): Promise<T> {
    const conn: ChannelModel = await connect(AMQP_URL);
    try {
      return await fn(await conn.createChannel());
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  const readyCount = (queue: string) => withChannel(async (ch) => (await ch.checkQueue(queue)).messageCount);

  async function startBroker(): Promise<void> {
    await run('rabbitmqctl', ['start_app'], { timeout: 60_000 });
    await run('rabbitmqctl', ['await_startup', '--timeout', '60'], { timeout: 70_000 });
    brokerStopped = false;
  }

  beforeAll(() => tracing.exporter.reset());

  afterEach(async () => {
    if (brokerStopped) await startBroker(); // never leave the machine's broker down
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  }, 120_000);

  afterAll(async () => {
    if (brokerStopped) await startBroker();
    await withChannel(async (ch) => {
      ch.on('error', () => undefined);
      for (const { stream, groups } of streams) {
        const t = resolveTopology({ stream });
        for (const g of groups) {
          await ch.deleteQueue(t.queueOf(g));
          await ch.deleteQueue(t.deadLetterQueueOf(g));
        }
        await ch.deleteExchange(t.exchange);
        await ch.deleteExchange(t.deadLetterExchange);
      }
    }).catch(() => undefined);
    await tracing.shutdown();
    rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  it('publishes persistent, confirmed messages to the stream exchange, routed by event type, with ids and trace context in headers', async () => {
    const stream = newStream('inspect');
    const transport = createRabbitMqTransport({ url: AMQP_URL, stream, consumerGroups: ['inspect'] });
    cleanups.push(() => transport.close());
    const { db, outbox } = ordersDb();
    const e = { ...placeOrder(db, outbox, 'o-1', 10), traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', correlationId: 'corr-1' };
    expect(await transport.publish([e])).toEqual({ published: 1 });
    const msg = await withChannel((ch) => ch.get(resolveTopology({ stream }).queueOf('inspect'), { noAck: true }));
    expect(msg).not.toBe(false);
    if (!msg) return;
    expect(msg.fields).toMatchObject({ exchange: stream, routingKey: 'OrderCreated' });
    expect(msg.properties).toMatchObject({ deliveryMode: 2, messageId: e.id, correlationId: 'corr-1', type: 'OrderCreated' });
    expect(msg.properties.headers).toMatchObject({ 'x-event-id': e.id, 'x-correlation-id': 'corr-1', traceparent: e.traceparent });
    expect(JSON.parse(msg.content.toString()).id).toBe(e.id);
  });

  it('reports an unreachable broker as a publish result, not an exception', async () => {
    const transport = createRabbitMqTransport({ url: 'amqp://guest:guest@127.0.0.1:1', stream: newStream(), connectTimeoutMs: 500 });
    const { db, outbox } = ordersDb();
    const result = await transport.publish([placeOrder(db, outbox, 'o-1', 1)]);
    expect(result.published).toBe(0);
    expect(result.error).toBeInstanceOf(Error);
    await transport.close();
  });

  it('outbox → relay → exchange → quorum queue → inbox: applied once, in order, CONSUMER span a child of the PRODUCER span', async () => {
    const stream = newStream('projector');
    const { db, outbox } = ordersDb();
    const target = projectionDb();
    const consumer = new IdempotentConsumer<Db>({ name: 'projector', inbox: new SqliteInbox(target), handlers: projectionHandlers, ordering: true });
    await consumer.ensureSchema();
    const sub = subscribeRabbitMq({ url: AMQP_URL, stream, consumer });
    const relay = new OutboxRelay({ outbox, transport: createRabbitMqTransport({ url: AMQP_URL, stream }), pollIntervalMs: 20 });
    cleanups.push(() => sub.stop(), () => relay.stop(), () => consumer.close());
    await sub.ready;
    tracing.exporter.reset();
    relay.start();
    for (let i = 0; i < 20; i++) {
      placeOrder(db, outbox, `o-${String(i).padStart(2, '0')}`, i);
      changeOrder(db, outbox, `o-${String(i).padStart(2, '0')}`, 'OrderChanged', 'paid', 1);
    }
    relay.wake();
    await vi.waitFor(() => expect(projection(target).filter((r: any) => r.history === 'created,paid')).toHaveLength(20), { timeout: 15_000 });
    expect(projection(target).map((r: any) => r.total_cents)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await vi.waitFor(() => expect(tracing.exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CONSUMER).length).toBeGreaterThanOrEqual(40));
    const consumerSpan = tracing.exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CONSUMER)!;
    // The consumer may finish before the relay's PRODUCER span ends (the confirm comes after the delivery).
    const producer = await vi.waitFor(() => {
      const p = tracing.exporter.getFinishedSpans().find((s) => s.kind === SpanKind.PRODUCER && s.attributes['messaging.message.id'] === consumerSpan.attributes['messaging.message.id']);
      if (!p) throw new Error('PRODUCER span not ended yet');
      return p;
    });
    expect(producer.attributes).toMatchObject({ 'messaging.system': 'rabbitmq', 'messaging.destination.name': `${stream}.OrderCreated`, 'messaging.operation': 'publish' });
    expect(consumerSpan.attributes).toMatchObject({ 'messaging.system': 'rabbitmq', 'messaging.destination.name': `${stream}.OrderCreated`, 'messaging.consumer.group.name': 'projector' });
    expect(consumerSpan.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
  });

  it('a redelivered or duplicated message applies once: a shuffled, doubled replay leaves the state unchanged', async () => {
    const stream = newStream('replay');
    const { db, outbox } = ordersDb();
    for (let i = 0; i < 5; i++) {
      placeOrder(db, outbox, `o-${i}`, 100 * i);
      for (let c = 0; c < 3; c++) changeOrder(db, outbox, `o-${i}`, 'OrderChanged', `s${c}`, c + 1);
    }
    const target = projectionDb();
    const consumer = new IdempotentConsumer<Db>({ name: 'replay', inbox: new SqliteInbox(target), handlers: projectionHandlers, ordering: true });
    await consumer.ensureSchema();
    const outcomes = counted(consumer);
    const sub = subscribeRabbitMq({ url: AMQP_URL, stream, consumer });
    const transport = createRabbitMqTransport({ url: AMQP_URL, stream });
    const relay = new OutboxRelay({ outbox, transport, pollIntervalMs: 20 });
    cleanups.push(() => sub.stop(), () => relay.stop(), () => consumer.close(), () => transport.close());
    await sub.ready;
    relay.start();
    await vi.waitFor(() => expect(outcomes).toHaveLength(20), { timeout: 10_000 });
    const before = projection(target);
    expect(before).toHaveLength(5);
    const history = (await outbox.history(0, 1000)).map((r) => r.envelope);
    expect(await replayEvents(history, transport, { copies: 2, seed: 9 })).toEqual({ delivered: 40 });
    await vi.waitFor(() => expect(outcomes).toHaveLength(60), { timeout: 10_000 });
    expect(outcomes.slice(20).every((k) => k === 'duplicate')).toBe(true);
    expect(projection(target)).toEqual(before);
  });

  it('a poison event is retried, dead-lettered after maxAttempts into the inbox and the dead-letter queue; the next event still flows', async () => {
    const stream = newStream('poison');
    const { db, outbox } = ordersDb();
    const target = projectionDb();
    let attempts = 0;
    const consumer = new IdempotentConsumer<Db>({
      name: 'poison', inbox: new SqliteInbox(target), maxAttempts: 3, retryInitialDelayMs: 20,
      handlers: {
        OrderCreated: (e, ctx) => {
          if ((e.payload as { orderId: string }).orderId === 'o-poison') {
            attempts++;
            throw new Error('cannot parse address');
          }
          projectionHandlers.OrderCreated(e, ctx);
        },
      },
    });
    await consumer.ensureSchema();
    const sub = subscribeRabbitMq({ url: AMQP_URL, stream, consumer });
    const relay = new OutboxRelay({ outbox, transport: createRabbitMqTransport({ url: AMQP_URL, stream }), pollIntervalMs: 20 });
    cleanups.push(() => sub.stop(), () => relay.stop(), () => consumer.close());
    await sub.ready;
    relay.start();
    placeOrder(db, outbox, 'o-poison', 1);
    placeOrder(db, outbox, 'o-fine', 2);
    await vi.waitFor(async () => expect((await consumer.deadLetters()).map((d) => d.reason)).toEqual(['handler failed 3 times: cannot parse address']), { timeout: 10_000 });
    await vi.waitFor(() => expect(projection(target)).toEqual([expect.objectContaining({ order_id: 'o-fine' })]), { timeout: 10_000 });
    expect(attempts).toBe(3);
    const t = resolveTopology({ stream });
    await vi.waitFor(async () => expect(await readyCount(t.deadLetterQueueOf('poison'))).toBe(1), { timeout: 10_000 });
    const dead = await withChannel((ch) => ch.get(t.deadLetterQueueOf('poison'), { noAck: true }));
    expect(dead && JSON.parse(dead.content.toString()).payload.orderId).toBe('o-poison');
  });

  it('deliveries that never reached a decision (x-delivery-count) dead-letter the event without running the handler; the queue\'s delivery limit is the backstop', async () => {
    const stream = newStream('crashloop');
    const t = resolveTopology({ stream, deliveryLimit: 3 });
    const transport = createRabbitMqTransport({ url: AMQP_URL, stream, consumerGroups: ['crashloop'], deliveryLimit: 3 });
    cleanups.push(() => transport.close());
    const { db, outbox } = ordersDb();
    const first = placeOrder(db, outbox, 'o-loop-1', 1);
    const second = placeOrder(db, outbox, 'o-loop-2', 2);
    expect(await transport.publish([first])).toEqual({ published: 1 });
    // A consumer that dies with each message in hand, as a crash loop would: the broker counts the returns.
    const returnsOf = async (times: number) => withChannel(async (ch) => {
      for (let i = 0; i < times; i++) {
        const m = await vi.waitFor(async () => {
          const got = await ch.get(t.queueOf('crashloop'));
          if (!got) throw new Error('not yet');
          return got;
        });
        ch.nack(m, false, true);
      }
    });
    await returnsOf(2);
    let ran = 0;
    const consumer = new IdempotentConsumer<Db>({ name: 'crashloop', inbox: new SqliteInbox(projectionDb()), maxDeliveries: 2, handlers: { OrderCreated: () => void ran++ } });
    await consumer.ensureSchema();
    const sub = subscribeRabbitMq({ url: AMQP_URL, stream, consumer, deliveryLimit: 3 });
    cleanups.push(() => sub.stop(), () => consumer.close());
    await sub.ready;
    await vi.waitFor(async () => expect((await consumer.deadLetters()).map((d) => d.eventId)).toEqual([first.id]), { timeout: 10_000 });
    expect(ran).toBe(0);
    await vi.waitFor(async () => expect(await readyCount(t.deadLetterQueueOf('crashloop'))).toBe(1), { timeout: 10_000 });
    await sub.stop();
    // No consumer alive to decide: past the queue's x-delivery-limit the broker dead-letters by itself.
    expect(await transport.publish([second])).toEqual({ published: 1 });
    await returnsOf(4);
    await vi.waitFor(async () => expect(await readyCount(t.deadLetterQueueOf('crashloop'))).toBe(2), { timeout: 10_000 });
    expect(await readyCount(t.queueOf('crashloop'))).toBe(0);
  });

  it('broker restart mid-stream (stop_app / start_app): both sides reconnect, nothing lost, nothing applied twice', async () => {
    const stream = newStream('restart');
    const { db, outbox } = ordersDb();
    const target = projectionDb();
    const consumer = new IdempotentConsumer<Db>({ name: 'restart', inbox: new SqliteInbox(target), handlers: projectionHandlers, ordering: true });
    await consumer.ensureSchema();
    const errors: Error[] = [];
    const sub = subscribeRabbitMq({ url: AMQP_URL, stream, consumer, reconnectInitialDelayMs: 50, onError: (e) => errors.push(e) });
    const transport = createRabbitMqTransport({ url: AMQP_URL, stream, onError: () => undefined });
    const relay = new OutboxRelay({ outbox, transport, pollIntervalMs: 20, retryInitialDelayMs: 20, retryMaxDelayMs: 300, onError: () => undefined });
    cleanups.push(() => sub.stop(), () => relay.stop(), () => consumer.close(), () => transport.close());
    await sub.ready;
    relay.start();
    let n = 0;
    const order = () => {
      const id = `o-${String(n).padStart(3, '0')}`;
      placeOrder(db, outbox, id, n);
      changeOrder(db, outbox, id, 'OrderChanged', 'paid', 1);
      n++;
    };
    for (let i = 0; i < 30; i++) order();
    await vi.waitFor(() => expect(projection(target).length).toBeGreaterThanOrEqual(5), { timeout: 10_000 });
    brokerStopped = true;
    await run('rabbitmqctl', ['stop_app'], { timeout: 60_000 });
    for (let i = 0; i < 20; i++) order();
    await vi.waitFor(() => expect(relay.stats().consecutiveFailures).toBeGreaterThanOrEqual(1), { timeout: 15_000 });
    await startBroker();
    for (let i = 0; i < 10; i++) order();
    await vi.waitFor(() => expect(projection(target).filter((r: any) => r.history === 'created,paid')).toHaveLength(n), { timeout: 45_000, interval: 100 });
    expect((await relay.lag()).pending).toBe(0);
    expect(projection(target).map((r: any) => r.total_cents)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(sub.connections).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('consumer process killed (SIGKILL) between apply and ack: the redelivery is a duplicate, applied once', async () => {
    const stream = newStream('crash');
    const dbPath = path.join(tmp, 'crash.db');
    const transport = createRabbitMqTransport({ url: AMQP_URL, stream, consumerGroups: ['crash'] });
    cleanups.push(() => transport.close());
    const { db, outbox } = ordersDb();
    expect(await transport.publish([placeOrder(db, outbox, 'o-crash', 42)])).toEqual({ published: 1 });

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, '../testing/crashConsumer.ts')], {
      cwd: REPO_ROOT, env: { ...process.env, DB_PATH: dbPath, AMQP_URL, STREAM: stream, GROUP: 'crash' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(async () => child.exitCode === null && child.pid !== undefined && process.kill(child.pid, 'SIGKILL'));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, sig) => resolve(sig)));
    expect(signal, err).toBe('SIGKILL');
    expect(out).toContain('applied\n');

    const target = new Database(dbPath);
    cleanups.push(async () => target.close());
    expect(projection(target)).toEqual([expect.objectContaining({ order_id: 'o-crash', total_cents: 42 })]);
    const consumer = new IdempotentConsumer<Db>({ name: 'crash', inbox: new SqliteInbox(target), handlers: projectionHandlers });
    const outcomes = counted(consumer);
    const sub = subscribeRabbitMq({ url: AMQP_URL, stream, consumer });
    cleanups.push(() => sub.stop(), () => consumer.close());
    await sub.ready;
    await vi.waitFor(() => expect(outcomes).toEqual(['duplicate']), { timeout: 10_000 });
    await sub.stop();
    expect(await readyCount(resolveTopology({ stream }).queueOf('crash'))).toBe(0);
    expect(projection(target)).toEqual([expect.objectContaining({ order_id: 'o-crash', total_cents: 42 })]);
  }, 60_000);
});
