import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChaosController, chaosMiddleware, chaosRouter, isConfigError, middleware } from '../index.js';
import type { ChaosMiddleware } from '../index.js';
import { startServer, startTracing } from '../../test/helpers.js';
import type { TestServer, Tracing } from '../../test/helpers.js';

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing('chaos');
});
afterAll(() => tracing.stop());
beforeEach(() => tracing.reset());

async function service(chaos: ChaosMiddleware, mountControl = true): Promise<{ server: TestServer; handled: () => number }> {
  let handled = 0;
  const app = express();
  app.use(middleware());
  // Control routes go before the chaos itself, or a 100% error fault would lock them out.
  if (mountControl) app.use('/_chaos', chaosRouter(chaos.controller));
  app.use(chaos);
  app.get('/work', (_req, res) => {
    handled++;
    res.json({ ok: true });
  });
  const server = await startServer(app);
  return { server, handled: () => handled };
}

describe('chaos', () => {
  it('is inert unless enabled: no injection, set() refuses, control routes answer 404', async () => {
    const chaos = chaosMiddleware({});
    expect(() => chaos.controller.set({ kind: 'error' })).toThrow(/disabled/);
    const { server, handled } = await service(chaos);
    try {
      expect((await fetch(`${server.url}/work`)).status).toBe(200);
      const put = await fetch(`${server.url}/_chaos`, { method: 'PUT', body: JSON.stringify({ kind: 'error' }) });
      expect(put.status).toBe(404);
      expect((await fetch(`${server.url}/work`)).status).toBe(200);
      expect(handled()).toBe(2);
      const spans = await tracing.spans();
      expect(spans.flatMap((s) => s.events).filter((e) => e.name === 'fault.injected')).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('injects errors at the configured rate and records fault.injected', async () => {
    let i = 0;
    const sequence = [0.1, 0.9, 0.2, 0.8];
    const chaos = chaosMiddleware({ enabled: true, random: () => sequence[i++ % sequence.length]! });
    chaos.controller.set({ kind: 'error', status: 503, rate: 0.5 });
    const { server, handled } = await service(chaos);
    try {
      const statuses = [];
      for (let n = 0; n < 4; n++) statuses.push((await fetch(`${server.url}/work`)).status);
      expect(statuses).toEqual([503, 200, 503, 200]);
      expect(handled()).toBe(2);
      const events = (await tracing.spans()).flatMap((s) => s.events).filter((e) => e.name === 'fault.injected');
      expect(events).toHaveLength(2);
      expect(events[0]!.attributes?.['faultline.fault']).toBe('error');
    } finally {
      await server.close();
    }
  });

  it('adds latency and drops connections', async () => {
    const chaos = chaosMiddleware({ enabled: true });
    const { server } = await service(chaos);
    try {
      chaos.controller.set({ kind: 'latency', ms: 120 });
      const t0 = Date.now();
      expect((await fetch(`${server.url}/work`)).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
      chaos.controller.set({ kind: 'abort' });
      await expect(fetch(`${server.url}/work`)).rejects.toThrow();
      chaos.controller.clear();
      expect((await fetch(`${server.url}/work`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('limits faults to a path and lets them expire', async () => {
    let now = 0;
    const controller = new ChaosController({ enabled: true, now: () => now });
    controller.set({ kind: 'error', path: '/pay', durationMs: 1000 });
    expect(controller.pick('/work')).toBeUndefined();
    expect(controller.pick('/pay/1')?.kind).toBe('error');
    now = 1000;
    expect(controller.pick('/pay/1')).toBeUndefined();
    expect(controller.active()).toEqual([]);
  });

  it('is driven through the control routes when enabled', async () => {
    const chaos = chaosMiddleware({ enabled: true });
    const { server } = await service(chaos);
    try {
      const put = await fetch(`${server.url}/_chaos`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ kind: 'error', status: 500 }]) });
      expect(put.status).toBe(200);
      expect((await fetch(`${server.url}/work`)).status).toBe(500);
      const list = (await (await fetch(`${server.url}/_chaos`)).json()) as { faults: unknown[] };
      expect(list.faults).toEqual([{ kind: 'error', status: 500, rate: 1 }]);
      const bad = await fetch(`${server.url}/_chaos`, { method: 'PUT', body: JSON.stringify({ kind: 'meteor' }) });
      expect(bad.status).toBe(400);
      expect((await fetch(`${server.url}/_chaos`, { method: 'PUT', body: 'not json' })).status).toBe(400);
      await fetch(`${server.url}/_chaos`, { method: 'DELETE' });
      expect((await fetch(`${server.url}/work`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it.each([
    [{ kind: 'error', rate: 2 }, 'fault.rate'],
    [{ kind: 'error', status: 200 }, 'fault.status'],
    [{ kind: 'latency' }, 'fault.ms'],
    [{ kind: 'latency', ms: 5, path: 'no-slash' }, 'fault.path'],
    [{ kind: 'nope' }, 'fault.kind'],
  ])('rejects %j naming %s', (fault, option) => {
    const controller = new ChaosController({ enabled: true });
    try {
      controller.set(fault as never);
      expect.unreachable();
    } catch (error) {
      expect(isConfigError(error) && error.option).toBe(option);
    }
  });
});
