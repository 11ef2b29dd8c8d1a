import { createServer as createTcpServer } from 'node:net';
import type { Server as TcpServer, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, init, middleware, shutdown } from '../index.js';
import { startServer, uniqueTarget } from '../../test/helpers.js';
import type { TestServer } from '../../test/helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await shutdown();
  while (cleanups.length) await cleanups.pop()!();
});

/** Accepts connections and never says a word. */
async function blackHole(): Promise<string> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function slowCollector(delayMs: number, status = 200): Promise<string> {
  const server = await startServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(status).end(), delayMs));
  });
  cleanups.push(() => server.close());
  return server.url;
}

async function host(): Promise<TestServer> {
  const downstream = await startServer((_q, res) => res.end('ok'));
  const client = createClient({ target: uniqueTarget('dep'), baseUrl: downstream.url });
  const app = express();
  app.use(middleware());
  app.get('/work', async (_req, res) => {
    const r = await client('/');
    res.send(await r.text());
  });
  const server = await startServer(app);
  cleanups.push(() => server.close(), () => downstream.close());
  return server;
}

async function drive(url: string, n: number): Promise<{ ok: number; maxMs: number }> {
  let ok = 0;
  let maxMs = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}/work`);
    if (res.status === 200 && (await res.text()) === 'ok') ok++;
    maxMs = Math.max(maxMs, performance.now() - t0);
  }
  return { ok, maxMs };
}

describe.each([
  ['a black-hole collector', () => blackHole()],
  ['a collector slower than the export timeout', () => slowCollector(5000)],
  ['a collector answering 500', () => slowCollector(0, 500)],
])('with %s', (_name, collector) => {
  it('serves every request without delay, keeps the queue bounded and warns once', async () => {
    const endpoint = await collector();
    const warnings: string[] = [];
    const sdk = init({
      serviceName: 'host',
      endpoint,
      scheduledDelayMs: 20,
      exportTimeoutMs: 1200,
      maxQueueSize: 50,
      maxExportBatchSize: 10,
      logger: { warn: (m) => warnings.push(m) },
    });
    const server = await host();
    // Long enough for several export rounds to fail.
    const result = await drive(server.url, 100);
    // Wait for a second failed export: the warning must not repeat.
    await vi.waitFor(() => expect(sdk.stats().failedExports).toBeGreaterThan(1), { timeout: 15_000, interval: 100 });
    expect(result.ok).toBe(100);
    // An export that blocked the host would show up as a request stalled for the export timeout (1.2 s).
    expect(result.maxMs).toBeLessThan(1000);
    expect(sdk.stats().queuedSpans).toBeLessThanOrEqual(50);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(endpoint);
    // Shutting down with the collector still down neither throws nor hangs past the export timeout.
    const t0 = performance.now();
    await shutdown();
    expect(performance.now() - t0).toBeLessThan(4000);
  });
});
