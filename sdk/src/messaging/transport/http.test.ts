import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database as Db } from 'better-sqlite3';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IdempotentConsumer } from '../consumer/IdempotentConsumer.js';
import { SqliteInbox } from '../consumer/SqliteInbox.js';
import type { ConsumeOutcome } from '../consumer/steps.js';
import { OutboxRelay } from '../relay/OutboxRelay.js';
import { ordersDb, placeOrder, projection, projectionDb, projectionHandlers } from '../testing/shop.js';
import { createHttpTransport } from './HttpTransport.js';
import { httpReceiver } from './httpReceiver.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(here, '../../../..');

describe('HTTP transport and receiver', () => {
  let server: Server;
  let url: string;
  let target: Db;
  let consumer: IdempotentConsumer<Db>;
  const outcomes: ConsumeOutcome['kind'][] = [];
  let failNext = 0;
  const tmp = mkdtempSync(path.join(tmpdir(), 'faultline-http-'));

  beforeAll(async () => {
    target = projectionDb();
    consumer = new IdempotentConsumer<Db>({ name: 'projector', inbox: new SqliteInbox(target), handlers: projectionHandlers, maxAttempts: 10 });
    await consumer.ensureSchema();
    const app = express();
    const receive = httpReceiver(consumer, { maxBytes: 64 * 1024 });
    app.post('/events', (req, res, next) => {
      if (failNext > 0) {
        failNext--;
        res.status(503).end();
        return;
      }
      const json = res.json.bind(res);
      res.json = (body: { outcome?: ConsumeOutcome['kind'] }) => {
        if (body.outcome) outcomes.push(body.outcome);
        return json(body);
      };
      void receive(req, res, next);
    });
    app.post('/parsed', express.json(), receive);
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await consumer.close();
    await new Promise((r) => server.close(r));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('delivers outbox events to the subscriber through the relay, retrying a 503 until it passes', async () => {
    const { db, outbox } = ordersDb();
    const relay = new OutboxRelay({
      outbox, transport: createHttpTransport({ subscribers: [{ url: `${url}/events`, types: ['OrderCreated'] }] }),
      pollIntervalMs: 10, retryInitialDelayMs: 10, onError: () => undefined,
    });
    failNext = 2;
    relay.start();
    try {
      placeOrder(db, outbox, 'h-1', 1);
      placeOrder(db, outbox, 'h-2', 2);
      await vi.waitFor(() => expect(projection(target).map((r: any) => r.order_id)).toEqual(['h-1', 'h-2']), { timeout: 5000 });
      expect(relay.stats().failures).toBeGreaterThanOrEqual(2);
    } finally {
      await relay.stop();
    }
  });

  it('answers 400 with the reason for a malformed envelope and dead-letters it; 413 over the limit', async () => {
    const bad = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"x-1","type":"OrderCreated"}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('source: must be a string');
    const parsed = await fetch(`${url}/parsed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' });
    expect(parsed.status).toBe(400);
    const big = await fetch(`${url}/events`, { method: 'POST', body: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    const dl = await consumer.deadLetters();
    expect(dl.map((d) => d.eventId)).toContain('x-1');
  });

  it('treats a 4xx rejection as final so one bad event cannot block the outbox', async () => {
    const rejected: number[] = [];
    const transport = createHttpTransport({ subscribers: [{ url: `${url}/nowhere` }], onRejected: (i) => rejected.push(i.status) });
    const { db, outbox } = ordersDb();
    const e = placeOrder(db, outbox, 'h-9', 9);
    expect(await transport.publish([e])).toEqual({ published: 1 });
    expect(rejected).toEqual([404]);
  });

  it('crash after the publish, before marking sent: the subscriber sees the event twice and applies it once', async () => {
    const dbPath = path.join(tmp, 'crash.db');
    outcomes.length = 0;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, '../testing/crashProducer.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, CRASH_AT: 'after-publish', DB_PATH: dbPath, ORDER_ID: 'h-crash', TRANSPORT: 'http', SUBSCRIBER_URL: `${url}/events` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const signal = await new Promise((resolve) => child.on('exit', (_c, s) => resolve(s)));
    expect(signal, err).toBe('SIGKILL');
    expect(outcomes).toEqual(['processed']);

    const { outbox } = ordersDb(dbPath);
    expect((await outbox.lag(Date.now())).pending).toBe(1);
    const relay = new OutboxRelay({ outbox, transport: createHttpTransport({ subscribers: [{ url: `${url}/events` }] }), pollIntervalMs: 10 });
    relay.start();
    try {
      await vi.waitFor(async () => expect((await relay.lag()).pending).toBe(0), { timeout: 5000 });
    } finally {
      await relay.stop();
    }
    expect(outcomes).toEqual(['processed', 'duplicate']);
    expect(projection(target).filter((r: any) => r.order_id === 'h-crash')).toHaveLength(1);
  });

  it('refuses non-http subscriber URLs at construction', () => {
    expect(() => createHttpTransport({ subscribers: [{ url: 'file:///etc/passwd' }] })).toThrow(/http/);
    expect(() => createHttpTransport({ subscribers: [{ url: 'not a url' }] })).toThrow(/absolute/);
  });
});
