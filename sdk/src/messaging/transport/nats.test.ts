import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database as Db } from 'better-sqlite3';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IdempotentConsumer } from '../consumer/IdempotentConsumer.js';
import { SqliteInbox } from '../consumer/SqliteInbox.js';
import type { EventEnvelope } from '../envelope.js';
import { OutboxRelay } from '../relay/OutboxRelay.js';
import { NATS_URL, serviceAvailable, uniqueName } from '../testing/services.js';
import { changeOrder, ordersDb, placeOrder, projection, projectionDb, projectionHandlers } from '../testing/shop.js';
import { replayEvents } from '../replay.js';
import { TcpProxy } from '../testing/TcpProxy.js';
import { createNatsTransport } from './NatsTransport.js';
import { subscribeNats } from './natsSubscriber.js';

const available = await serviceAvailable('NATS');
const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(here, '../../../..');

describe.skipIf(!available)('NATS JetStream transport (real server)', () => {
  let nc: NatsConnection;
  const streams: string[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const tmp = mkdtempSync(path.join(tmpdir(), 'faultline-msg-'));

  function newStream(): string {
    const s = uniqueName('FLTEST');
    streams.push(s);
    return s;
  }

  async function streamMessages(stream: string): Promise<EventEnvelope[]> {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream);
    const out: EventEnvelope[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      out.push(JSON.parse(new TextDecoder().decode(m.data)) as EventEnvelope);
    }
    return out;
  }

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    const jsm = await nc.jetstreamManager();
    for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
    await nc.drain();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('creates the stream when missing and lets the broker drop a republished event id', async () => {
    const stream = newStream();
    const transport = createNatsTransport({ connection: nc, stream });
    const { db, outbox } = ordersDb();
    const e = placeOrder(db, outbox, 'o-1', 10);
    expect(await transport.publish([e])).toEqual({ published: 1 });
    expect(await transport.publish([e])).toEqual({ published: 1 });
    const stored = await streamMessages(stream);
    expect(stored.map((m) => m.id)).toEqual([e.id]);
    const jsm = await nc.jetstreamManager();
    const m = await jsm.streams.getMessage(stream, { seq: 1 });
    expect(m.subject).toBe(`${stream}.OrderCreated`);
    expect(m.header.get('Nats-Msg-Id')).toBe(e.id);
  });

  it('refuses a type-filtered subscription for an ordered consumer (holes in every key sequence)', () => {
    const consumer = new IdempotentConsumer<Db>({ name: 'x', inbox: new SqliteInbox(projectionDb()), handlers: {}, ordering: true });
    expect(() => subscribeNats({ connection: nc, stream: newStream(), consumer, types: ['OrderCreated'] })).toThrow(/every event type/);
    return consumer.close();
  });

  it('reports a failed publish (no connection) as a result, not an exception', async () => {
    const transport = createNatsTransport({ servers: 'nats://127.0.0.1:1', stream: newStream(), connectTimeoutMs: 500 });
    const { db, outbox } = ordersDb();
    const result = await transport.publish([placeOrder(db, outbox, 'o-1', 1)]);
    expect(result.published).toBe(0);
    expect(result.error).toBeInstanceOf(Error);
    await transport.close();
  });

  it('outbox → relay → JetStream → durable consumer → inbox: every order applied once, in order', async () => {
    const stream = newStream();
    const { db, outbox } = ordersDb();
    const relay = new OutboxRelay({ outbox, transport: createNatsTransport({ connection: nc, stream }), pollIntervalMs: 20 });
    const target = projectionDb();
    const consumer = new IdempotentConsumer<Db>({ name: 'projector', inbox: new SqliteInbox(target), handlers: projectionHandlers });
    await consumer.ensureSchema();
    const sub = subscribeNats({ connection: nc, stream, consumer, types: ['OrderCreated'] });
    cleanups.push(() => sub.stop(), () => relay.stop(), () => consumer.close());
    await sub.ready;
    relay.start();
    for (let i = 0; i < 20; i++) placeOrder(db, outbox, `o-${String(i).padStart(2, '0')}`, i);
    relay.wake();
    await vi.waitFor(() => expect(projection(target)).toHaveLength(20), { timeout: 10_000 });
    expect((await streamMessages(stream)).map((e) => e.key)).toEqual(Array.from({ length: 20 }, (_, i) => `o-${String(i).padStart(2, '0')}`));
    expect(await relay.lag()).toMatchObject({ pending: 0 });
  });

  it('a shuffled, doubled replay through the broker (dedupe off) leaves the consumer state unchanged', async () => {
    const stream = newStream();
    const { db, outbox } = ordersDb();
    for (let i = 0; i < 5; i++) {
      placeOrder(db, outbox, `o-${i}`, 100 * i);
      for (let c = 0; c < 3; c++) changeOrder(db, outbox, `o-${i}`, 'OrderChanged', `s${c}`, c + 1);
    }
    const target = projectionDb();
    const outcomes: string[] = [];
    const consumer = new IdempotentConsumer<Db>({ name: 'projector', inbox: new SqliteInbox(target), handlers: projectionHandlers, ordering: true });
    await consumer.ensureSchema();
    const counting = { handle: consumer.handle.bind(consumer) };
    consumer.handle = async (raw, d) => {
      const o = await counting.handle(raw, d);
      outcomes.push(o.kind);
      return o;
    };
    const sub = subscribeNats({ connection: nc, stream, consumer });
    const relay = new OutboxRelay({ outbox, transport: createNatsTransport({ connection: nc, stream }), pollIntervalMs: 20 });
    cleanups.push(() => sub.stop(), () => relay.stop(), () => consumer.close());
    await sub.ready;
    relay.start();
    await vi.waitFor(() => expect(outcomes).toHaveLength(20), { timeout: 10_000 });
    const before = projection(target);
    expect(before).toHaveLength(5);
    const history = (await outbox.history(0, 1000)).map((r) => r.envelope);
    const replay = await replayEvents(history, createNatsTransport({ connection: nc, stream, brokerDedupe: false }), { copies: 2, seed: 9 });
    expect(replay).toEqual({ delivered: 40 });
    await vi.waitFor(() => expect(outcomes).toHaveLength(60), { timeout: 10_000 });
    expect(outcomes.slice(20).every((k) => k === 'duplicate')).toBe(true);
    expect(projection(target)).toEqual(before);
  });

  it('a poison event is nacked, redelivered by JetStream, and dead-lettered after maxAttempts; the next event still flows', async () => {
    const stream = newStream();
    const { db, outbox } = ordersDb();
    const target = projectionDb();
    let attempts = 0;
    const consumer = new IdempotentConsumer<Db>({
      name: 'poison',
      inbox: new SqliteInbox(target),
      maxAttempts: 3,
      retryInitialDelayMs: 20,
      handlers: {
        OrderCreated: (e, ctx) => {
          if (e.payload.orderId === 'o-poison') {
            attempts++;
            throw new Error('cannot parse address');
          }
          projectionHandlers.OrderCreated(e, ctx);
        },
      },
    });
    await consumer.ensureSchema();
    const sub = subscribeNats({ connection: nc, stream, consumer });
    const relay = new OutboxRelay({ outbox, transport: createNatsTransport({ connection: nc, stream }), pollIntervalMs: 20 });
    cleanups.push(() => sub.stop(), () => relay.stop(), () => consumer.close());
    await sub.ready;
    relay.start();
    placeOrder(db, outbox, 'o-poison', 1);
    placeOrder(db, outbox, 'o-fine', 2);
    await vi.waitFor(async () => expect((await consumer.deadLetters()).map((d) => d.reason)).toEqual(['handler failed 3 times: cannot parse address']), { timeout: 10_000 });
    await vi.waitFor(() => expect(projection(target)).toEqual([expect.objectContaining({ order_id: 'o-fine' })]), { timeout: 10_000 });
    expect(attempts).toBe(3);
    const info = await (await nc.jetstreamManager()).consumers.info(stream, 'poison');
    await vi.waitFor(async () => expect((await (await nc.jetstreamManager()).consumers.info(stream, 'poison')).num_ack_pending).toBe(0));
    expect(info.config.durable_name).toBe('poison');
  });

  it('broker unreachable for a while: events accumulate in the outbox and drain in order, nothing lost', async () => {
    const stream = newStream();
    const u = new URL(NATS_URL);
    const proxy = new TcpProxy(u.hostname, Number(u.port || 4222));
    await proxy.up();
    await proxy.down(); // keep the port, refuse connections: the broker is "down"
    cleanups.push(() => proxy.down());
    const { db, outbox } = ordersDb();
    const transport = createNatsTransport({ servers: `nats://127.0.0.1:${proxy.port}`, stream, connectTimeoutMs: 300, publishTimeoutMs: 1000 });
    const errors: Error[] = [];
    const relay = new OutboxRelay({ outbox, transport, pollIntervalMs: 20, retryInitialDelayMs: 20, retryMaxDelayMs: 200, onError: (e) => errors.push(e) });
    cleanups.push(() => transport.close(), () => relay.stop());
    relay.start();
    const keys: string[] = [];
    for (let i = 0; i < 40; i++) {
      keys.push(`o-${i}`);
      placeOrder(db, outbox, `o-${i}`, i);
    }
    await vi.waitFor(() => expect(relay.stats().consecutiveFailures).toBeGreaterThanOrEqual(3), { timeout: 5000 });
    const during = await relay.lag();
    expect(during.pending).toBe(40);
    expect(during.oldestAgeMs).toBeGreaterThan(0);
    expect(errors).toHaveLength(1);
    await proxy.up();
    await vi.waitFor(async () => expect((await relay.lag()).pending).toBe(0), { timeout: 15_000 });
    expect((await streamMessages(stream)).map((e) => e.key)).toEqual(keys);
  });

  async function runChild(env: Record<string, string>): Promise<string> {
    // node itself (not the tsx wrapper) so the SIGKILL is seen as the child's own exit signal.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, '../testing/crashProducer.ts')], {
      cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(async () => child.exitCode === null && child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal, err).toBe('SIGKILL');
    return out;
  }

  it('crash between the state write and the publish: after restart the event is published exactly once', async () => {
    const stream = newStream();
    const dbPath = path.join(tmp, 'before.db');
    expect(await runChild({ CRASH_AT: 'before-publish', DB_PATH: dbPath, ORDER_ID: 'o-crash', TRANSPORT: 'nats', STREAM: stream, NATS_URL })).toBe('committed\n');
    const { db, outbox } = ordersDb(dbPath);
    expect(db.prepare('SELECT id FROM orders').all()).toEqual([{ id: 'o-crash' }]);
    expect((await outbox.lag(Date.now())).pending).toBe(1);
    const relay = new OutboxRelay({ outbox, transport: createNatsTransport({ connection: nc, stream }), pollIntervalMs: 20 });
    cleanups.push(() => relay.stop());
    relay.start();
    await vi.waitFor(async () => expect((await relay.lag()).pending).toBe(0), { timeout: 5000 });
    await relay.stop();
    const msgs = await streamMessages(stream);
    expect(msgs.map((m) => m.key)).toEqual(['o-crash']);
  });

  it('crash after the publish, before marking sent: republished on restart, the broker keeps one copy, applied once', async () => {
    const stream = newStream();
    const dbPath = path.join(tmp, 'after.db');
    expect(await runChild({ CRASH_AT: 'after-publish', DB_PATH: dbPath, ORDER_ID: 'o-crash', TRANSPORT: 'nats', STREAM: stream, NATS_URL })).toBe('committed\npublished\n');
    const { outbox } = ordersDb(dbPath);
    expect((await outbox.lag(Date.now())).pending).toBe(1);
    const relay = new OutboxRelay({ outbox, transport: createNatsTransport({ connection: nc, stream }), pollIntervalMs: 20 });
    cleanups.push(() => relay.stop());
    relay.start();
    await vi.waitFor(async () => expect((await relay.lag()).pending).toBe(0), { timeout: 5000 });
    await relay.stop();
    expect((await streamMessages(stream)).map((m) => m.key)).toEqual(['o-crash']);
    const target = projectionDb();
    const consumer = new IdempotentConsumer<Db>({ name: 'projector', inbox: new SqliteInbox(target), handlers: projectionHandlers });
    await consumer.ensureSchema();
    const sub = subscribeNats({ connection: nc, stream, consumer });
    cleanups.push(() => sub.stop());
    await sub.ready;
    await vi.waitFor(() => expect(projection(target)).toHaveLength(1), { timeout: 5000 });
  });
});
