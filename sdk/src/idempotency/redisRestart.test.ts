import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisIdempotencyStore, idempotency } from './index.js';
import { startServer } from '../../test/helpers.js';
import { REDIS_URL, connectRedis } from '../../test/services.js';

/**
 * A TCP proxy in front of the real Redis that can be "restarted": every
 * connection is cut and new ones are refused for a while. The shared Redis
 * itself is never touched (other suites use it).
 */
class FlakyProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: URL) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

let skip: string | undefined;
beforeAll(async () => {
  const r = await connectRedis();
  skip = r.skip;
  r.redis?.disconnect();
});

describe('RedisIdempotencyStore across a Redis restart', () => {
  const proxy = new FlakyProxy(new URL(REDIS_URL));
  let client: Redis | undefined;
  afterAll(async () => {
    client?.disconnect();
    await proxy.stop();
  });

  it('does not execute twice when Redis drops out mid-request', async (ctx) => {
    if (skip) ctx.skip();
    await proxy.start();
    // ioredis defaults: commands issued while disconnected wait in its offline queue.
    client = new Redis({ host: '127.0.0.1', port: proxy.port, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    const store = new RedisIdempotencyStore({ client, prefix: `faultline-test:${process.pid}:${Date.now()}:restart:` });
    let executed = 0;
    const app = express();
    app.use(express.json());
    app.post('/charge', idempotency({ store, required: true }), async (_req, res) => {
      executed++;
      await new Promise((r) => setTimeout(r, 300));
      res.status(201).json({ charged: true });
    });
    const server = await startServer(app);
    const send = () =>
      fetch(`${server.url}/charge`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-restart' }, body: '{"a":1}' });
    try {
      const first = send();
      await new Promise((r) => setTimeout(r, 100));
      // "Restart": cut every connection, refuse new ones for 500 ms, come back on the same port.
      const port = proxy.port;
      await proxy.stop();
      const retryDuringOutage = send();
      await new Promise((r) => setTimeout(r, 500));
      await proxy.start(port);
      expect((await first).status).toBe(201);
      const during = await retryDuringOutage;
      expect([201, 409]).toContain(during.status);
      const after = await send();
      expect(after.status).toBe(201);
      expect(after.headers.get('idempotent-replayed')).toBe('true');
      expect(executed).toBe(1);
    } finally {
      await server.close();
    }
  });
});
