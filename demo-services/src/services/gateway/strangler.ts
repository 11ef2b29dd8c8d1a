import { randomUUID } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { GATEWAY_POLICIES, serviceClient, type ServiceFetch } from '../../lib/clients.js';
import type { ServiceConfig } from '../../lib/config.js';
import { HttpError, route } from '../../lib/http.js';
import { checkWeight, chooseSide, findRoute, parseRouteWeights, PlacedOrders, RouteError, ROUTE_SPECS, type RouteSpec, type Side } from './routing.js';

/** Forwards the chosen side's answer, saying which side it was (`x-served-by`). */
async function relay(upstream: globalThis.Response, res: Response, side: Side): Promise<void> {
  const body = await upstream.text();
  res.setHeader('x-served-by', side);
  res.status(upstream.status).type(upstream.headers.get('content-type') ?? 'application/json').send(body);
}

/**
 * The strangler-fig gateway: the public API in front of both architectures.
 * Each route (path prefix) has a weight, the percentage of order ids sent to
 * the extracted service instead of the monolith, chosen per order id (sticky).
 * Weights change at run time through `PUT /__routes/:name`.
 */
export function mountStrangler(app: Express, config: ServiceConfig, admit: (req: Request, res: Response) => boolean, stats: Record<string, unknown>): void {
  const weights = parseRouteWeights(process.env.ROUTE_WEIGHTS);
  const monolith = serviceClient(config, 'monolith', GATEWAY_POLICIES);
  const services = new Map<string, ServiceFetch>(ROUTE_SPECS.map((r) => [r.name, serviceClient(config, r.service, GATEWAY_POLICIES)]));
  const placed = new PlacedOrders();
  const servedBy = { monolith: 0, services: 0 };
  stats.servedBy = servedBy;
  const client = (spec: RouteSpec, side: Side): ServiceFetch => (side === 'monolith' ? monolith : services.get(spec.name)!);
  const table = () => ROUTE_SPECS.map((r) => ({ route: r.name, prefix: r.prefix, service: r.service, weight: weights.get(r.name) ?? 0 }));

  app.get('/__routes', (_req, res) => {
    res.json({ routes: table(), servedBy });
  });
  app.put(
    '/__routes/:name',
    route((req, res) => {
      const spec = findRoute(String(req.params.name));
      if (!spec) throw new HttpError(404, `unknown route ${req.params.name}; one of ${ROUTE_SPECS.map((r) => r.name).join(', ')}`);
      let weight: number;
      try {
        weight = checkWeight((req.body as { weight?: unknown } | undefined)?.weight);
      } catch (err) {
        throw new HttpError(400, (err as RouteError).message);
      }
      const from = weights.get(spec.name) ?? 0;
      weights.set(spec.name, weight);
      res.json({ route: spec.name, fromWeight: from, toWeight: weight, routes: table() });
    }),
  );

  const orders = findRoute('orders')!;
  app.post(
    '/orders',
    route(async (req, res) => {
      if (!admit(req, res)) return;
      const id = randomUUID();
      const side = chooseSide(weights.get('orders') ?? 0, id);
      placed.remember(id, side);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-order-id': id };
      const key = req.get('idempotency-key');
      if (key) headers['idempotency-key'] = key;
      const upstream = await client(orders, side)('/orders', { method: 'POST', headers, body: JSON.stringify(req.body ?? {}), idempotencyKey: false });
      servedBy[side] += 1;
      await relay(upstream, res, side);
    }),
  );
  for (const spec of ROUTE_SPECS) {
    app.get(
      `${spec.prefix}/:id`,
      route(async (req, res) => {
        const id = String(req.params.id);
        // An order placed here is read where it was placed while its flow may still run there.
        const side = (spec.name === 'orders' ? placed.sideOf(id) : undefined) ?? chooseSide(weights.get(spec.name) ?? 0, id);
        const upstream = await client(spec, side)(`${spec.prefix}/${encodeURIComponent(id)}`);
        await relay(upstream, res, side);
      }),
    );
  }
}
