import type { ServiceName } from '../../lib/config.js';

/** A strangler-fig route: a public path prefix, and the extracted service that takes it over from the monolith. */
export interface RouteSpec {
  /** Route name, also its path prefix without the slash (`reservations` → `/reservations/...`). */
  name: string;
  prefix: string;
  service: ServiceName;
}

/** Every public route of the shop, in the order the strangler migration moves them (notifications first). */
export const ROUTE_SPECS: readonly RouteSpec[] = [
  { name: 'notifications', prefix: '/notifications', service: 'notifications' },
  { name: 'reservations', prefix: '/reservations', service: 'inventory' },
  { name: 'payments', prefix: '/payments', service: 'payments' },
  { name: 'shipments', prefix: '/shipments', service: 'shipping' },
  { name: 'orders', prefix: '/orders', service: 'orders' },
];

export type Side = 'monolith' | 'services';

/** FNV-1a over the id, in [0, 100): the same id always lands in the same bucket, in every process. */
export function bucketOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 100;
}

/**
 * Sticky weighted choice: an id goes to the extracted services when its
 * bucket is below the route's weight (percent). Raising the weight only moves
 * ids from the monolith to the services, lowering it only moves them back, so
 * at a fixed weight an order always lands on the same side.
 */
export function chooseSide(weightPct: number, id: string): Side {
  return bucketOf(id) < weightPct ? 'services' : 'monolith';
}

export class RouteError extends Error {}

export function findRoute(name: string): RouteSpec | undefined {
  return ROUTE_SPECS.find((r) => r.name === name || r.prefix === name);
}

export function checkWeight(raw: unknown): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 100) throw new RouteError('weight must be an integer percentage between 0 and 100');
  return raw;
}

/** `ROUTE_WEIGHTS`: `orders=10,notifications=100` (names or prefixes); unnamed routes start at 0 (all on the monolith). */
export function parseRouteWeights(raw: string | undefined): Map<string, number> {
  const weights = new Map(ROUTE_SPECS.map((r) => [r.name, 0]));
  for (const part of (raw ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split('=');
    const route = findRoute((name ?? '').trim());
    if (!route) throw new RouteError(`ROUTE_WEIGHTS: unknown route ${name}; one of ${ROUTE_SPECS.map((r) => r.name).join(', ')}`);
    weights.set(route.name, checkWeight(Number(value)));
  }
  return weights;
}

/** Remembers which side placed recent orders, so reads of an order still in flight follow it; bounded. */
export class PlacedOrders {
  private readonly sides = new Map<string, Side>();
  constructor(private readonly max = 10_000) {}

  remember(id: string, side: Side): void {
    this.sides.delete(id);
    this.sides.set(id, side);
    if (this.sides.size > this.max) this.sides.delete(this.sides.keys().next().value!);
  }

  sideOf(id: string): Side | undefined {
    return this.sides.get(id);
  }
}
