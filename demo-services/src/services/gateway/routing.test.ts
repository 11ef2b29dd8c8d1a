import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bucketOf, chooseSide, parseRouteWeights, PlacedOrders, RouteError, ROUTE_SPECS } from './routing.js';

const ids = Array.from({ length: 2000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

describe('strangler routing', () => {
  it('puts an id in the same bucket every time, within 0..99', () => {
    for (const id of ids.slice(0, 50)) {
      const b = bucketOf(id);
      expect(b).toBe(bucketOf(id));
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(100);
    }
  });

  it.each([0, 5, 25, 50, 100])('sends about %i%% of order ids to the services', (weight) => {
    const share = ids.filter((id) => chooseSide(weight, id) === 'services').length / ids.length;
    expect(Math.abs(share - weight / 100)).toBeLessThan(0.04);
  });

  it('raising a weight only moves orders to the services, lowering it only moves them back', () => {
    const weights = [0, 5, 25, 50, 100];
    for (const id of ids.slice(0, 500)) {
      const sides = weights.map((w) => chooseSide(w, id));
      const firstNew = sides.indexOf('services');
      if (firstNew >= 0) expect(sides.slice(firstNew).every((s) => s === 'services')).toBe(true);
      expect(sides[0]).toBe('monolith');
      expect(sides[4]).toBe('services');
    }
  });

  it('spreads random UUIDs too', () => {
    const share = Array.from({ length: 2000 }, () => randomUUID()).filter((id) => chooseSide(25, id) === 'services').length / 2000;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.3);
  });

  it('starts with every route on the monolith and reads ROUTE_WEIGHTS by name or prefix', () => {
    expect([...parseRouteWeights(undefined).values()]).toEqual(ROUTE_SPECS.map(() => 0));
    const w = parseRouteWeights('notifications=100, /orders=10');
    expect(w.get('notifications')).toBe(100);
    expect(w.get('orders')).toBe(10);
    expect(w.get('payments')).toBe(0);
  });

  it.each(['nope=5', 'orders=101', 'orders=-1', 'orders=1.5', 'orders=x'])('refuses ROUTE_WEIGHTS %s', (raw) => {
    expect(() => parseRouteWeights(raw)).toThrow(RouteError);
  });

  it('remembers where recent orders were placed, and forgets the oldest past its bound', () => {
    const placed = new PlacedOrders(2);
    placed.remember('a', 'services');
    placed.remember('b', 'monolith');
    placed.remember('c', 'services');
    expect(placed.sideOf('a')).toBeUndefined();
    expect(placed.sideOf('b')).toBe('monolith');
    expect(placed.sideOf('c')).toBe('services');
  });
});
