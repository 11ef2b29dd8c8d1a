import express from 'express';
import type { Redis } from 'ioredis';
import { Redis as RedisClient } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, middleware } from '../index.js';
import { MemoryIdempotencyStore, RedisIdempotencyStore, idempotency, parseIdempotencyKey } from './index.js';
import type { IdempotencyOptions, IdempotencyStore } from './index.js';
import { startServer, startTracing, uniqueTarget } from '../../test/helpers.js';
import type { TestServer, Tracing } from '../../test/helpers.js';
import { connectRedis } from '../../test/services.js';

let tracing: Tracing;
let redis: Redis | undefined;
let redisSkip: string | undefined;
const prefix = `faultline-test:${process.pid}:${Date.now()}:`;

beforeAll(async () => {
  tracing = startTracing('idem');
  const r = await connectRedis();
  redis = r.redis;
  redisSkip = r.skip;
  if (redisSkip) console.warn(`skipping Redis idempotency tests: ${redisSkip}`);
});
afterAll(async () => {
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  await tracing.stop();
});

async function harness(store: IdempotencyStore, extra: Partial<IdempotencyOptions> = {}, opts: { blocking?: boolean; failFirst?: boolean; delayMs?: number } = {}) {
  let executed = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const app = express();
  app.use(middleware());
  app.use(express.json());
  app.post('/charges', idempotency({ store, required: true, ...extra }), async (req, res) => {
    executed++;
    if (opts.blocking) await gate;
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    if (opts.failFirst && executed === 1) {
      res.status(500).json({ error: 'boom' });
      return;
    }
    res.status(201).set('x-charge', `c-${executed}`).json({ charged: (req.body as { amount: number }).amount, n: executed });
  });
  const server = await startServer(app);
  return { server, executed: () => executed, open: release };
}

function post(url: string, key: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/charges`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }), ...headers },
    body: JSON.stringify(body),
  });
}

describe('parseIdempotencyKey', () => {
  it.each([
    ['abc-123', 'abc-123'],
    ['"quoted-key"', 'quoted-key'],
    ['x'.repeat(255), 'x'.repeat(255)],
    ['x'.repeat(256), undefined],
    ['', undefined],
    ['""', undefined],
    ['bad\r\nkey', undefined],
    ['tab\tkey', undefined],
    ['ünïcode', undefined],
  ])('%j → %j', (raw, expected) => {
    expect(parseIdempotencyKey(raw)).toBe(expected);
  });
});

const stores: Array<[string, () => IdempotencyStore | undefined]> = [
  ['memory', () => new MemoryIdempotencyStore()],
  ['redis', () => (redis ? new RedisIdempotencyStore({ client: redis, prefix: `${prefix}${Math.random()}:` }) : undefined)],
];

describe.each(stores)('idempotency() with the %s store', (name, makeStore) => {
  let store: IdempotencyStore;
  beforeEach((ctx) => {
    const s = makeStore();
    if (!s) {
      ctx.skip();
      return;
    }
    store = s;
  });

  it('rejects a missing key with 400 when required, and a malformed one without echoing it', async () => {
    const h = await harness(store);
    try {
      const missing = await post(h.server.url, undefined, { amount: 1 });
      expect(missing.status).toBe(400);
      const long = await post(h.server.url, 'k'.repeat(256), { amount: 1 });
      expect(long.status).toBe(400);
      expect(await long.text()).not.toContain('kkkk');
      const empty = await post(h.server.url, '', { amount: 1 });
      expect(empty.status).toBe(400);
      expect(h.executed()).toBe(0);
    } finally {
      await h.server.close();
    }
  });

  it('replays the stored response for the same key and payload, with Idempotent-Replayed and a span event', async () => {
    const h = await harness(store);
    try {
      const first = await post(h.server.url, 'key-1', { amount: 5 });
      expect(first.status).toBe(201);
      const firstBody = await first.json();
      // The result is stored just after the response is sent.
      await new Promise((r) => setTimeout(r, 20));
      await tracing.reset();
      const again = await post(h.server.url, 'key-1', { amount: 5 });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('x-charge')).toBe('c-1');
      expect(await again.json()).toEqual(firstBody);
      expect(h.executed()).toBe(1);
      const spans = await tracing.spans();
      expect(spans.flatMap((s) => s.events).map((e) => e.name)).toContain('idempotency.replayed');
    } finally {
      await h.server.close();
    }
  });

  it('answers 422 when the key is reused with a different payload', async () => {
    const h = await harness(store);
    try {
      expect((await post(h.server.url, 'key-2', { amount: 5 })).status).toBe(201);
      await new Promise((r) => setTimeout(r, 20));
      expect((await post(h.server.url, 'key-2', { amount: 6 })).status).toBe(422);
      expect(h.executed()).toBe(1);
    } finally {
      await h.server.close();
    }
  });

  it('answers 409 while the first request with the key is still running', async () => {
    const h = await harness(store, {}, { blocking: true });
    try {
      const first = post(h.server.url, 'key-3', { amount: 5 });
      await new Promise((r) => setTimeout(r, 50));
      const second = await post(h.server.url, 'key-3', { amount: 5 });
      expect(second.status).toBe(409);
      expect(second.headers.get('retry-after')).toBe('1');
      h.open();
      expect((await first).status).toBe(201);
    } finally {
      await h.server.close();
    }
  });

  it('executes exactly once under 50 concurrent identical requests', async () => {
    const h = await harness(store, {}, { delayMs: 30 });
    try {
      const results = await Promise.all(Array.from({ length: 50 }, () => post(h.server.url, 'race-key', { amount: 9 })));
      const statuses = results.map((r) => r.status);
      expect(h.executed()).toBe(1);
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const replayed = results.filter((r) => r.headers.get('idempotent-replayed') === 'true').length;
      expect(statuses.filter((s) => s === 201).length).toBe(replayed + 1);
    } finally {
      await h.server.close();
    }
  });

  it('scopes keys per client', async () => {
    const h = await harness(store);
    try {
      expect((await post(h.server.url, 'shared', { amount: 1 }, { authorization: 'Bearer alice' })).status).toBe(201);
      const bob = await post(h.server.url, 'shared', { amount: 1 }, { authorization: 'Bearer bob' });
      expect(bob.status).toBe(201);
      expect(bob.headers.get('idempotent-replayed')).toBeNull();
      expect(h.executed()).toBe(2);
    } finally {
      await h.server.close();
    }
  });

  it('does not store 5xx answers, so the retry runs again', async () => {
    const h = await harness(store, {}, { failFirst: true });
    try {
      expect((await post(h.server.url, 'key-5', { amount: 1 })).status).toBe(500);
      await new Promise((r) => setTimeout(r, 20));
      expect((await post(h.server.url, 'key-5', { amount: 1 })).status).toBe(201);
      expect(h.executed()).toBe(2);
    } finally {
      await h.server.close();
    }
  });

  it('forgets a key after ttlMs', async () => {
    const h = await harness(store, { ttlMs: 150 });
    try {
      expect((await post(h.server.url, 'key-6', { amount: 1 })).status).toBe(201);
      await new Promise((r) => setTimeout(r, 300));
      const again = await post(h.server.url, 'key-6', { amount: 1 });
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      expect(h.executed()).toBe(2);
    } finally {
      await h.server.close();
    }
  });

  it('lets a client retry through a timeout and get the one result (late success)', async () => {
    const h = await harness(store, {}, { delayMs: 150 });
    try {
      const client = createClient({
        target: uniqueTarget('payments'),
        baseUrl: h.server.url,
        policies: { timeout: { attemptTimeoutMs: 60, totalTimeoutMs: 5000 }, retry: { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 20 } },
      });
      const res = await client('/charges', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: 3 }) });
      expect(res.status).toBe(201);
      expect(res.headers.get('idempotent-replayed')).toBe('true');
      expect(h.executed()).toBe(1);
    } finally {
      await h.server.close();
    }
  });
});

describe('MemoryIdempotencyStore', () => {
  it('is bounded by maxEntries, evicting the oldest', async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c', 'd']) await store.begin(k, 'f', 1000);
    expect(store.size).toBe(3);
    expect(store.evicted).toBe(1);
    expect((await store.begin('a', 'f', 1000)).kind).toBe('acquired');
  });
});

describe('idempotency() when the store is down', () => {
  it('answers 503 with Retry-After instead of running the request unprotected', async () => {
    const dead = new RedisClient('redis://127.0.0.1:9', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const h = await harness(new RedisIdempotencyStore({ client: dead }));
    try {
      const res = await post(h.server.url, 'key-x', { amount: 1 });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(h.executed()).toBe(0);
    } finally {
      await h.server.close();
      dead.disconnect();
    }
  });

  it('validates its options', () => {
    expect(() => idempotency({ store: undefined as unknown as IdempotencyStore })).toThrow(/store/);
    expect(() => idempotency({ store: new MemoryIdempotencyStore(), ttlMs: 0 })).toThrow(/ttlMs/);
  });
});
