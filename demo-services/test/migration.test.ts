import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteEventStream } from '../src/lib/broker.js';
import { ALL_SERVICE_NAMES } from '../src/lib/config.js';
import { natsReachable } from '../src/lib/natsAdmin.js';
import { startShop, type Shop } from '../src/lib/shop.js';
import { readEdgeSeries } from '../src/migration/collectorApi.js';
import { MigrationController } from '../src/migration/controller.js';
import { checkReadModel, judgeSides, readSides } from '../src/migration/sides.js';
import { chooseSide } from '../src/services/gateway/routing.js';
import { eventually, getJson, startTestCollector, type TestCollector } from './helpers.js';

const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const natsUp = await natsReachable(NATS_URL);
if (!natsUp && process.env.REQUIRE_SERVICES === '1') throw new Error(`NATS unreachable at ${NATS_URL} (REQUIRE_SERVICES=1)`);

interface Placed {
  orderId: string;
  status: number;
  servedBy: string | null;
}

describe.skipIf(!natsUp)(natsUp ? 'migration: monolith and services behind the strangler gateway (real processes, JetStream, collector)' : 'migration (skipped: NATS unreachable)', () => {
  let collector: TestCollector;
  let shop: Shop;
  const stream = `SHOP_MIG_${randomBytes(4).toString('hex').toUpperCase()}`;
  const namespace = `test-migration-${randomBytes(4).toString('hex')}`;
  const placed: Placed[] = [];

  const setWeight = (route: string, weight: unknown) =>
    fetch(`${shop.urls.gateway}/__routes/${route}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ weight }) });
  const place = async (): Promise<Placed> => {
    const res = await fetch(`${shop.urls.gateway}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'sku-2', qty: 1 }) });
    const body = (await res.json()) as { orderId: string };
    const p = { orderId: body.orderId, status: res.status, servedBy: res.headers.get('x-served-by') };
    placed.push(p);
    return p;
  };
  const read = async (path: string): Promise<{ status: number; servedBy: string | null }> => {
    const res = await fetch(`${shop.urls.gateway}${path}`);
    await res.arrayBuffer();
    return { status: res.status, servedBy: res.headers.get('x-served-by') };
  };

  beforeAll(async () => {
    collector = await startTestCollector();
    shop = await startShop({
      mode: 'resilient',
      services: ALL_SERVICE_NAMES,
      chaosEnabled: true,
      otlpEndpoint: collector.url,
      broker: 'nats',
      natsUrl: NATS_URL,
      natsStream: stream,
      namespace,
      env: { STRANGLER: '1' },
    });
  });
  afterAll(async () => {
    await shop?.close();
    await collector?.close();
    await deleteEventStream({ broker: 'nats', natsUrl: NATS_URL }, stream).catch(() => undefined);
  });

  it('starts with every route on the monolith', async () => {
    const { body } = await getJson<{ routes: { route: string; weight: number }[] }>(`${shop.urls.gateway}/__routes`);
    expect(body.routes.map((r) => [r.route, r.weight])).toEqual([
      ['notifications', 0],
      ['reservations', 0],
      ['payments', 0],
      ['shipments', 0],
      ['orders', 0],
    ]);
    const p = await place();
    expect(p.status).toBe(201);
    expect(p.servedBy).toBe('monolith');
  });

  it('sends each order to the side its id falls on for the route weight, and keeps it there', async () => {
    expect((await setWeight('orders', 30)).status).toBe(200);
    const batch: Placed[] = [];
    for (let i = 0; i < 40; i++) batch.push(await place());
    for (const p of batch) {
      expect(p.status, JSON.stringify(p)).toBeGreaterThanOrEqual(200);
      expect(p.status).toBeLessThan(300);
      expect(p.servedBy).toBe(chooseSide(30, p.orderId) === 'services' ? 'services' : 'monolith');
      expect((await read(`/orders/${p.orderId}`)).servedBy).toBe(p.servedBy);
    }
    expect(new Set(batch.map((p) => p.servedBy))).toEqual(new Set(['monolith', 'services']));
    // Back to 0: an order the services placed is still read where it was placed (it may be mid-flight there).
    expect((await setWeight('orders', 0)).status).toBe(200);
    const onServices = batch.find((p) => p.servedBy === 'services')!;
    expect(await read(`/orders/${onServices.orderId}`)).toEqual({ status: 200, servedBy: 'services' });
    expect((await place()).servedBy).toBe('monolith');
  });

  it('routes the read routes by prefix, sticky per order id', async () => {
    const id = placed[0]!.orderId;
    expect((await read(`/reservations/${id}`)).servedBy).toBe('monolith');
    expect((await setWeight('reservations', 100)).status).toBe(200);
    expect(await read(`/reservations/${id}`)).toEqual({ status: 200, servedBy: 'services' });
    expect((await setWeight('reservations', 0)).status).toBe(200);
    expect((await read(`/notifications/${id}`)).servedBy).toBe('monolith');
  });

  it.each([
    ['a weight above 100', 'orders', 150, 400],
    ['a fractional weight', 'orders', 2.5, 400],
    ['no weight', 'orders', undefined, 400],
    ['an unknown route', 'warehouse', 10, 404],
  ])('refuses %s with %s', async (_what, route, weight, status) => {
    const res = await setWeight(route, weight);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(5);
  });

  it('copies every order to the other side through events only, and the order-history view follows both', { timeout: 90_000 }, async () => {
    const fromMonolith = placed.filter((p) => p.servedBy === 'monolith');
    const fromServices = placed.filter((p) => p.servedBy === 'services');
    expect(fromMonolith.length).toBeGreaterThan(0);
    expect(fromServices.length).toBeGreaterThan(0);
    const converged = await eventually(async () => {
      const sides = judgeSides(readSides(shop.dbPaths), true);
      const readModel = checkReadModel(shop.dbPaths.history, sides.writeSide);
      return sides.sidesDisagree === 0 && sides.invariants.pending === 0 && readModel.converged ? { sides, readModel } : undefined;
    }, 60_000);
    expect(converged, 'the two sides and the read model never agreed').toBeDefined();
    expect(converged!.sides.invariants.inconsistent).toBe(0);
    expect(converged!.sides.invariants.orders).toBe(placed.length);
    expect(converged!.readModel.orders).toBe(placed.length);
    // Each side answers from its own database about orders the other side took.
    const m = fromMonolith[0]!.orderId;
    const s = fromServices[0]!.orderId;
    expect(((await getJson<{ status: string }>(`${shop.urls.orders}/orders/${m}`)).body).status).toBe('confirmed');
    expect((await getJson<{ captured: number }>(`${shop.urls.payments}/payments/${m}`)).body.captured).toBe(1);
    expect((await getJson<{ reserved: number }>(`${shop.urls.inventory}/reservations/${m}`)).body.reserved).toBe(1);
    expect((await getJson<{ status: string }>(`${shop.urls.monolith}/orders/${s}`)).body.status).toBe('confirmed');
    expect((await getJson<{ created: number }>(`${shop.urls.monolith}/shipments/${s}`)).body.created).toBe(1);
    const notices = (await getJson<{ kind: string }[]>(`${shop.urls.monolith}/notifications/${s}`)).body.map((n) => n.kind);
    expect(notices).toContain('OrderConfirmed');
    const history = (await getJson<{ status: string; placedBy: string; paid: boolean }>(`${shop.urls.history}/history/${s}`)).body;
    expect(history).toMatchObject({ status: 'confirmed', placedBy: 'services', paid: true });
  });

  it('the canary, judged on the collector\'s /api/series, promotes a healthy route and rolls a failing one back', { timeout: 180_000 }, async () => {
    const ids = placed.map((p) => p.orderId);
    let done = false;
    // Customers reading their orders while the canary runs; bounded in count and stopped with the test.
    const readers = (async () => {
      for (let i = 0; i < 20_000 && !done; i++) {
        const id = ids[i % ids.length]!;
        await Promise.all([read(`/payments/${id}`), read(`/reservations/${id}`)]).catch(() => undefined);
      }
    })();
    try {
      const controller = new MigrationController({ gatewayUrl: shop.urls.gateway, collectorUrl: collector.url, namespace }, { stagesPct: [50, 100], stageMs: 2000 });
      expect(await controller.canary('payments')).toBe(true);
      expect(controller.steps.filter((s) => s.route === '/payments').map((s) => [s.toWeight, s.outcome])).toEqual([
        [50, 'ok'],
        [100, 'ok'],
      ]);

      const chaos = await fetch(`${shop.urls.inventory}/__chaos`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'error', status: 503, rate: 1 }) });
      expect(chaos.status).toBeLessThan(300);
      const since = Date.now();
      expect(await controller.canary('reservations')).toBe(false);
      await fetch(`${shop.urls.inventory}/__chaos`, { method: 'DELETE' });
      expect(controller.rollbacks).toBe(1);
      expect(controller.rollbackReasons[0]).toMatch(/error rate 100\.0%/);
      expect((await controller.weights()).reservations).toBe(0);
      expect(controller.steps.filter((s) => s.route === '/reservations').map((s) => [s.fromWeight, s.toWeight, s.outcome])).toEqual([
        [0, 50, 'failed'],
        [50, 0, 'rollback'],
      ]);

      // The figures it acted on are the collector's own.
      const series = await readEdgeSeries(collector.url, { source: 'gateway', target: 'inventory', fromMs: since - 60_000, toMs: Date.now() + 60_000, namespace });
      expect(series.reduce((n, p) => n + p.errors, 0)).toBeGreaterThan(0);
      const annotations = await eventually(async () => {
        const { body } = await getJson<{ kind: string; service?: string; text: string }[]>(`${collector.url}/api/annotations?from=${since - 60_000}&namespace=${namespace}`);
        return body.some((a) => a.kind === 'canary.rollback') ? body : undefined;
      }, 20_000);
      expect(annotations, 'no canary.rollback annotation').toBeDefined();
      const rollback = annotations!.find((a) => a.kind === 'canary.rollback')!;
      expect(rollback.service).toBe('inventory');
      expect(rollback.text).toMatch(/back to 0%/);
      expect(annotations!.filter((a) => a.kind === 'route.weight').length).toBeGreaterThanOrEqual(1);
    } finally {
      done = true;
      await readers;
    }
  });
});
