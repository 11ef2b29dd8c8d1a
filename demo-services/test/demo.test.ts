import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../src/lib/ports.js';
import { natsReachable } from '../src/lib/natsAdmin.js';
import { eventually, getJson, pidAlive } from './helpers.js';

const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const natsUp = await natsReachable(NATS_URL);

/** Child processes running one of our scripts (tsx also keeps an esbuild helper around). */
function childPids(pid: number): number[] {
  try {
    const lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' }).trim().split('\n');
    return lines.filter((l) => /(main|cli)\.ts/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
  } catch {
    return [];
  }
}

/** `pnpm demo` as a process (from source), with its output captured and its exit code awaited. */
function startDemo(env: Record<string, string>) {
  const demo = spawn(process.execPath, ['--conditions=@faultline/source', '--import', 'tsx', 'src/demo.ts'], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, DEMO_RPS: '3', FAULTLINE_GRPC_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const captured = { text: '' };
  demo.stdout.on('data', (c: Buffer) => (captured.text += c.toString()));
  demo.stderr.on('data', (c: Buffer) => (captured.text += c.toString()));
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  return { demo, captured, exited };
}

describe('pnpm demo (demo.ts as a process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts collector, shop, load and control server, and SIGINT leaves nothing running', { timeout: 180_000 }, async () => {
    const [collectorPort, controlPort, gatewayPort] = await freePorts(3);
    const { demo, captured, exited } = startDemo({
      FAULTLINE_PORT: String(collectorPort),
      FAULTLINE_CONTROL_PORT: String(controlPort),
      GATEWAY_PORT: String(gatewayPort),
      DEMO_DATA_DIR: dir,
      NATS_URL: '',
    });
    let pids: number[] = [];
    try {
      const ready = await eventually(async () => (captured.text.includes('Dashboard:') ? true : undefined), 150_000, 200);
      expect(ready, captured.text).toBe(true);
      expect(captured.text).toContain(`Dashboard:  http://127.0.0.1:${collectorPort}/`);
      // Collector plus six services, each its own process.
      pids = childPids(demo.pid!);
      expect(pids.length).toBe(7);

      const { body: config } = await getJson<{ controlUrl: string }>(`http://127.0.0.1:${collectorPort}/api/config`);
      expect(config.controlUrl).toBe(`http://127.0.0.1:${controlPort}`);
      const { body: scenarios } = await getJson<{ name: string }[]>(`http://127.0.0.1:${controlPort}/scenarios`);
      expect(scenarios.map((s) => s.name)).toContain('inventory-down');
      // The steady load reaches the collector as gateway → orders traffic.
      const edge = await eventually(async () => {
        const { body } = await getJson<{ edges: { source: string; target: string; requests: number }[] }>(`http://127.0.0.1:${collectorPort}/api/graph`);
        return body.edges.find((e) => e.source === 'gateway' && e.target === 'orders' && e.requests > 0);
      }, 30_000);
      expect(edge, captured.text.slice(-2000)).toBeDefined();
    } finally {
      demo.kill('SIGINT');
      const code = await exited;
      expect(code).toBe(0);
    }
    for (const pid of pids) expect(pidAlive(pid), `child ${pid} still running`).toBe(false);
  });

  it.skipIf(!natsUp && process.env.REQUIRE_SERVICES !== '1')(
    'DEMO_MODE=migration: the monolith behind the strangler gateway, every route on it, migrated from the control server',
    { timeout: 180_000 },
    async () => {
      const [collectorPort, controlPort, gatewayPort] = await freePorts(3);
      const { demo, captured, exited } = startDemo({
        FAULTLINE_PORT: String(collectorPort),
        FAULTLINE_CONTROL_PORT: String(controlPort),
        GATEWAY_PORT: String(gatewayPort),
        DEMO_DATA_DIR: join(dir, 'migration'),
        DEMO_MODE: 'migration',
        NATS_URL,
      });
      let pids: number[] = [];
      const control = `http://127.0.0.1:${controlPort}`;
      try {
        const ready = await eventually(async () => (captured.text.includes('Dashboard:') ? true : undefined), 150_000, 200);
        expect(ready, captured.text).toBe(true);
        expect(captured.text).toContain(`${control}/migration`);
        // Collector, six services, the monolith and the history view.
        pids = childPids(demo.pid!);
        expect(pids.length).toBe(9);
        const { body: state } = await getJson<{ routes: Record<string, number>; running: string | null }>(`${control}/migration`);
        expect(state).toMatchObject({ routes: { notifications: 0, reservations: 0, payments: 0, shipments: 0, orders: 0 }, running: null });
        // The gateway's rate limit is twice the steady load: a request of ours may be shed (429) and is then sent again.
        const placeOrder = () =>
          eventually(async () => {
            const res = await fetch(`http://127.0.0.1:${gatewayPort}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":"sku-1","qty":1}' });
            await res.arrayBuffer();
            return res.status === 429 ? undefined : res;
          }, 20_000);
        const placed = (await placeOrder())!;
        expect(placed.status).toBe(201);
        expect(placed.headers.get('x-served-by')).toBe('monolith');

        const set = await fetch(`${control}/migration/routes/orders`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"weight":100}' });
        expect(await set.json()).toMatchObject({ route: '/orders', fromWeight: 0, toWeight: 100, outcome: 'set' });
        const moved = (await placeOrder())!;
        expect(moved.status).toBeLessThan(300);
        expect(moved.headers.get('x-served-by')).toBe('services');
        expect((await fetch(`${control}/migration/routes/orders`, { method: 'PUT', body: '{"weight":-3}' })).status).toBe(400);
        expect((await fetch(`${control}/migration/routes/warehouse/canary`, { method: 'POST' })).status).toBe(404);
        // The change is on the collector's timeline.
        const annotation = await eventually(async () => {
          const { body } = await getJson<{ kind: string; attributes: Record<string, unknown> }[]>(`http://127.0.0.1:${collectorPort}/api/annotations`);
          return body.find((a) => a.kind === 'route.weight' && a.attributes.toWeight === 100);
        }, 20_000);
        expect(annotation, 'no route.weight annotation').toBeDefined();
      } finally {
        demo.kill('SIGINT');
        const code = await exited;
        expect(code).toBe(0);
      }
      for (const pid of pids) expect(pidAlive(pid), `child ${pid} still running`).toBe(false);
    },
  );
});
