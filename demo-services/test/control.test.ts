import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer, type ControlTarget } from '../src/control/server.js';
import type { FaultRecord } from '../src/scenarios/faults.js';

// The HTTP layer of the control server, over a small in-memory target (the
// real target, DemoScenarios on a live shop, is exercised by demo.test.ts).
class RecordingTarget implements ControlTarget {
  started: { name: string; durationMs: number }[] = [];
  stops = 0;
  log: FaultRecord[] = [{ service: 'inventory', kind: 'down', startMs: 1000, endMs: 2000 }, { service: 'payments', kind: 'latency', startMs: 3000 }];
  start(name: string, durationMs: number) {
    this.started.push({ name, durationMs });
    return { name, startMs: 42, durationMs };
  }
  async stop() {
    this.stops += 1;
  }
  faults() {
    return this.log;
  }
  active() {
    return null;
  }
}

describe('demo control server', () => {
  const target = new RecordingTarget();
  const dashboard = 'http://127.0.0.1:4318';
  let control: Awaited<ReturnType<typeof startControlServer>>;
  beforeAll(async () => {
    control = await startControlServer({ port: 0, allowedOrigins: [dashboard], target });
  });
  afterAll(async () => {
    await control.close();
  });

  it('listens on loopback only', () => {
    expect(control.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lists the seven scenarios with descriptions', async () => {
    const res = await fetch(`${control.url}/scenarios`);
    const body = (await res.json()) as { name: string; description: string }[];
    expect(body.map((s) => s.name)).toEqual(['payments-down', 'inventory-down', 'inventory-slow', 'retry-storm', 'late-success', 'notifications-flapping', 'traffic-spike']);
    for (const s of body) expect(s.description.length).toBeGreaterThan(10);
  });

  it('starts a scenario with the default or a given duration', async () => {
    const a = await fetch(`${control.url}/scenarios/inventory-down/start`, { method: 'POST' });
    expect(a.status).toBe(202);
    const b = await fetch(`${control.url}/scenarios/payments-down/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ durationMs: 5000 }) });
    expect(await b.json()).toEqual({ name: 'payments-down', startMs: 42, durationMs: 5000 });
    expect(target.started).toEqual([{ name: 'inventory-down', durationMs: 60_000 }, { name: 'payments-down', durationMs: 5000 }]);
  });

  it.each([
    ['an unknown scenario', '/scenarios/nope/start', '{}', 404],
    ['a duration out of range', '/scenarios/inventory-down/start', '{"durationMs": 5}', 400],
    ['a body that is not JSON', '/scenarios/inventory-down/start', '{oops', 400],
    ['an unknown route', '/admin', '{}', 404],
  ])('answers %s with a 4xx and a message', async (_what, path, body, status) => {
    const before = target.started.length;
    const res = await fetch(`${control.url}${path}`, { method: 'POST', body });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(0);
    expect(target.started.length).toBe(before);
  });

  it('stops the running scenario', async () => {
    const res = await fetch(`${control.url}/scenarios/stop`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(target.stops).toBe(1);
  });

  it('lists faults, open ones without endMs', async () => {
    const res = await fetch(`${control.url}/faults`);
    expect(await res.json()).toEqual([
      { service: 'inventory', kind: 'down', startMs: 1000, endMs: 2000 },
      { service: 'payments', kind: 'latency', startMs: 3000 },
    ]);
  });

  it('lets the dashboard origin call it from a browser, and nobody else', async () => {
    const ok = await fetch(`${control.url}/faults`, { headers: { origin: dashboard } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(dashboard);
    const preflight = await fetch(`${control.url}/scenarios/stop`, { method: 'OPTIONS', headers: { origin: dashboard, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const other = await fetch(`${control.url}/faults`, { headers: { origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
