// The query API over real HTTP: answers, validation (400, never 500), caps, live stream,
// dashboard serving and /api/config.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, hex, readEvents, span } from './helpers.js';
import { startCollector } from '../src/index.js';
import { otlpJson, postJson, testCollector } from './collector.js';

describe('query API', () => {
  let c: Awaited<ReturnType<typeof testCollector>>;
  const dashboardDir = mkdtempSync(join(tmpdir(), 'faultline-dash-'));
  writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>Faultline dashboard</title>');
  writeFileSync(join(dashboardDir, 'app.js'), 'console.log(1)');

  beforeAll(async () => {
    c = await testCollector({ pendingEdgeMs: 300, dashboardDir, controlUrl: 'http://127.0.0.1:4320', sseClientsMax: 2, sseIntervalMs: 100 });
  });
  afterAll(async () => {
    await c?.close();
    rmSync(dashboardDir, { recursive: true, force: true });
  });

  const get = (path: string) => fetch(`${c.url}${path}`);

  it('answers graph, services and traces from ingested spans', async () => {
    const root = span({ service: 'gateway', name: 'GET /buy', status: 'error' });
    const [client, server] = call('gateway', 'orders', { traceId: root.traceId, parentSpanId: root.spanId, status: 'error' });
    expect((await postJson(c.url, otlpJson([root, client, server]))).status).toBe(200);
    const graph = await (await get('/api/graph')).json();
    expect(graph.edges).toContainEqual(expect.objectContaining({ source: 'gateway', target: 'orders', requests: 1, errors: 1, errorRate: 1, retries: 0, timeouts: 0, shortCircuits: 0 }));
    expect(graph.nodes).toContainEqual(expect.objectContaining({ id: 'orders', kind: 'service', requests: 1 }));
    const services = await (await get('/api/services')).json();
    expect(services).toContainEqual(expect.objectContaining({ name: 'gateway', requests: 1, errors: 1, errorRate: 1 }));
    expect(Object.keys(services[0])).toEqual(expect.arrayContaining(['errorRate', 'errors', 'name', 'p50Ms', 'p95Ms', 'p99Ms', 'requests', 'requestsPerSec', 'current', 'callers']));
    const traces = await (await get('/api/traces?service=gateway&status=error&limit=5')).json();
    expect(traces[0]).toMatchObject({ traceId: root.traceId, rootService: 'gateway', rootOperation: 'GET /buy', spanCount: 3, errorCount: 3, services: ['gateway', 'orders'] });
    const rc = await (await get('/api/root-causes')).json();
    expect(Array.isArray(rc.incidents)).toBe(true);
  });

  it('gives a callee that never answers a virtual node once pendingEdgeMs passed', async () => {
    const caller = span({ service: 'billing', kind: 'client', parentSpanId: hex(8), status: 'error', attributes: { 'server.address': 'ledger.internal' } });
    await postJson(c.url, otlpJson([caller]));
    await new Promise((r) => setTimeout(r, 1200));
    const graph = await (await get('/api/graph')).json();
    expect(graph.edges).toContainEqual(expect.objectContaining({ source: 'billing', target: 'ledger.internal', errors: 1 }));
    expect(graph.nodes).toContainEqual(expect.objectContaining({ id: 'ledger.internal', kind: 'virtual' }));
  });

  it('answers 304 to a graph request whose ETag still matches', async () => {
    const first = await get('/api/graph?from=0&to=1000');
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await fetch(`${c.url}/api/graph?from=0&to=1000`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it.each([
    '/api/graph?from=abc',
    '/api/graph?from=10&to=5',
    '/api/graph?from=1&from=2',
    '/api/services?to=-1',
    '/api/graph?from=0&to=99999999999999',
    '/api/traces?limit=0',
    '/api/traces?limit=1.5',
    '/api/traces?limit=x',
    '/api/traces?status=maybe',
    '/api/traces?minDurationMs=-1',
    `/api/traces?service=${'s'.repeat(300)}`,
    '/api/traces/not-a-trace-id',
    `/api/traces/${'g'.repeat(32)}`,
    '/api/root-causes?from=1e3',
    '/api/namespaces?from=abc',
    '/api/namespaces?from=10&to=5',
  ])('answers 400 with { error } to %s', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });

  it('caps limit at 1000 instead of failing', async () => {
    const roots = Array.from({ length: 1005 }, () => span({ service: 'limit-probe' }));
    expect((await postJson(c.url, otlpJson(roots))).status).toBe(200);
    const res = await get('/api/traces?service=limit-probe&limit=5000');
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveLength(1000);
  });

  it('answers 404 for an unknown trace and an unknown endpoint', async () => {
    expect((await get(`/api/traces/${hex(16)}`)).status).toBe(404);
    const res = await get('/api/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });

  it('answers GET /api/config with the control URL', async () => {
    expect(await (await get('/api/config')).json()).toEqual({ controlUrl: 'http://127.0.0.1:4320' });
  });

  it('serves the dashboard with a single-page fallback, never for /api', async () => {
    expect(await (await get('/')).text()).toMatch(/Faultline dashboard/);
    expect(await (await get('/traces/abc')).text()).toMatch(/Faultline dashboard/);
    expect(await (await get('/app.js')).text()).toBe('console.log(1)');
    expect((await get('/api/unknown/thing')).headers.get('content-type')).toMatch(/json/);
  });

  it('answers health and readiness', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect(await (await get('/readyz')).json()).toMatchObject({ status: 'ready', storage: 'sqlite' });
  });

  it('streams graph events as data arrives, and bounds the number of clients', async () => {
    const a = new AbortController();
    const b = new AbortController();
    const first = await fetch(`${c.url}/api/stream`, { signal: a.signal });
    const second = await fetch(`${c.url}/api/stream`, { signal: b.signal });
    expect(first.headers.get('content-type')).toMatch(/text\/event-stream/);
    const third = await get('/api/stream');
    expect(third.status).toBe(503);
    await third.body?.cancel();
    await postJson(c.url, otlpJson(call('stream-a', 'stream-b')));
    const events = await readEvents(first, (evs) => evs.some((e) => e.event === 'graph' && e.data.includes('stream-b')));
    const graph = events.filter((e) => e.event === 'graph').map((e) => JSON.parse(e.data)).pop();
    expect(graph.edges).toContainEqual(expect.objectContaining({ source: 'stream-a', target: 'stream-b' }));
    a.abort();
    b.abort();
    await second.body?.cancel().catch(() => undefined);
  });
});

describe('stream heartbeat', () => {
  it('sends a heartbeat comment while idle', async () => {
    const c = await testCollector({ sseHeartbeatMs: 50 });
    const ac = new AbortController();
    try {
      const res = await fetch(`${c.url}/api/stream`, { signal: ac.signal });
      const reader = res.body!.getReader();
      let text = '';
      const deadline = Date.now() + 5000;
      while (!text.includes(': heartbeat') && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text).toContain(': heartbeat');
    } finally {
      ac.abort();
      await c.close();
    }
  });
});

describe('dashboard not built', () => {
  it('says to run pnpm build', async () => {
    const c = await testCollector({ dashboardDir: join(tmpdir(), `missing-${hex(4)}`) });
    try {
      const res = await fetch(`${c.url}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/run <code>pnpm build<\/code>/i);
    } finally {
      await c.close();
    }
  });
});

describe('OTLP/gRPC port', () => {
  it('fails the start when an explicitly chosen port is busy', async () => {
    const first = await testCollector({ grpcPort: -1 });
    try {
      await expect(testCollector({ grpcPort: first.grpcPort! })).rejects.toThrow(/OTLP\/gRPC could not listen/);
    } finally {
      await first.close();
    }
  });

  it('warns and keeps HTTP ingest when the default port 4317 is busy', async () => {
    // Hold 4317 (or find it held already by someone else): either way it is busy.
    const blocker = createServer();
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve());
      blocker.listen(4317, '127.0.0.1', () => resolve());
    });
    const saved = process.env.FAULTLINE_GRPC_PORT;
    delete process.env.FAULTLINE_GRPC_PORT;
    const logs: string[] = [];
    try {
      const c = await startCollector({ port: 0, dbPath: ':memory:', databaseUrl: null, token: null, log: (l) => logs.push(l) });
      try {
        expect(c.grpcPort).toBeNull();
        expect(logs.join('\n')).toMatch(/WARNING: OTLP\/gRPC could not listen on 127\.0\.0\.1:4317/);
        expect((await postJson(c.url, otlpJson([span({ service: 'no-grpc' })]))).status).toBe(200);
      } finally {
        await c.close();
      }
    } finally {
      if (saved !== undefined) process.env.FAULTLINE_GRPC_PORT = saved;
      blocker.close();
    }
  });
});

describe('retention', () => {
  it('prunes traces that ended before FAULTLINE_RETENTION_HOURS in the background', async () => {
    const c = await testCollector({ retentionHours: 1, pruneIntervalMs: 100 });
    try {
      const old = span({ service: 'old', startMs: Date.now() - 3 * 3600_000 });
      const fresh = span({ service: 'fresh' });
      expect((await postJson(c.url, otlpJson([old, fresh]))).status).toBe(200);
      let status = 200;
      for (let i = 0; i < 50 && status === 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await fetch(`${c.url}/api/traces/${old.traceId}`)).status;
      }
      expect(status).toBe(404);
      expect((await fetch(`${c.url}/api/traces/${fresh.traceId}`)).status).toBe(200);
    } finally {
      await c.close();
    }
  });
});
