import { openDbReadOnly } from '../lib/db.js';
import type { ServiceName } from '../lib/config.js';

/** Rows read from each service's own database; nothing here comes from a service's self-reported counters. */
export interface ShopSnapshot {
  orders: { id: string; status: string }[];
  payments: { order_id: string; status: string }[];
  reservations: { order_id: string; status: string }[];
  shipments: { order_id: string; status: string }[];
  notifications: { order_id: string; kind: string }[];
  reconciliations: { action: string }[];
}

export interface Invariants {
  orders: number;
  confirmed: number;
  cancelled: number;
  pending: number;
  chargedWithoutReservation: number;
  doubleCharges: number;
  reservedWithoutPayment: number;
  inconsistent: number;
  /** Finished orders whose customer was never told (an event or call lost on the way). */
  notificationsMissing: number;
  /** Repairs made by the reconciler (rows in orders' `reconciliations`). */
  reconciled: number;
}

interface Facts {
  status: string;
  captured: number;
  captures: number;
  reserved: number;
  shipped: number;
  notified: Set<string>;
}

/** What one order's rows say, judged on their own (see `checkInvariants`). */
export interface OrderVerdict {
  /** The orders table's status, or `missing` when only other services know the order. */
  status: string;
  chargedWithoutReservation: boolean;
  doubleCharge: boolean;
  reservedWithoutPayment: boolean;
  notificationMissing: boolean;
  inconsistent: boolean;
  /** Live effects as `captured/reserved/shipped`: two copies of one order agree when these match. */
  effects: string;
}

/** Every order id seen in the snapshot, with its verdict. */
export function judgeOrders(s: ShopSnapshot): Map<string, OrderVerdict> {
  const facts = new Map<string, Facts>();
  const of = (id: string): Facts => {
    let f = facts.get(id);
    if (!f) {
      f = { status: 'missing', captured: 0, captures: 0, reserved: 0, shipped: 0, notified: new Set() };
      facts.set(id, f);
    }
    return f;
  };
  for (const o of s.orders) of(o.id).status = o.status;
  for (const p of s.payments) {
    if (p.status === 'voided') continue;
    const f = of(p.order_id);
    f.captures += 1;
    if (p.status === 'captured') f.captured += 1;
  }
  for (const r of s.reservations) if (r.status === 'reserved') of(r.order_id).reserved += 1;
  for (const sh of s.shipments) if (sh.status === 'created') of(sh.order_id).shipped += 1;
  for (const n of s.notifications) facts.get(n.order_id)?.notified.add(n.kind);

  const out = new Map<string, OrderVerdict>();
  for (const [id, f] of facts) {
    const finished = f.status === 'confirmed' || f.status === 'cancelled';
    const expectedNotice = f.status === 'confirmed' ? 'OrderConfirmed' : 'OrderCancelled';
    const noticeMissing = finished && !f.notified.has(expectedNotice);
    const effects = f.captured + f.reserved + f.shipped;
    const consistent =
      f.status === 'confirmed'
        ? f.captured === 1 && f.captures === 1 && f.reserved === 1 && f.shipped === 1 && !noticeMissing
        : f.status === 'cancelled'
          ? effects === 0 && !noticeMissing
          : effects === 0; // unfinished with nothing done anywhere: nobody disagrees (yet)
    out.set(id, {
      status: f.status,
      chargedWithoutReservation: f.captured > 0 && f.reserved === 0,
      doubleCharge: f.captures > 1,
      reservedWithoutPayment: f.reserved > 0 && f.captured === 0,
      notificationMissing: noticeMissing,
      inconsistent: !consistent,
      effects: `${f.captured}/${f.reserved}/${f.shipped}`,
    });
  }
  return out;
}

/** Adds one order's verdict to the counts. */
export function countVerdict(out: Invariants, v: Pick<OrderVerdict, 'status' | 'chargedWithoutReservation' | 'doubleCharge' | 'reservedWithoutPayment' | 'notificationMissing' | 'inconsistent'>): void {
  if (v.status === 'confirmed') out.confirmed += 1;
  else if (v.status === 'cancelled') out.cancelled += 1;
  else if (v.status !== 'missing') out.pending += 1;
  if (v.chargedWithoutReservation) out.chargedWithoutReservation += 1;
  if (v.doubleCharge) out.doubleCharges += 1;
  if (v.reservedWithoutPayment) out.reservedWithoutPayment += 1;
  if (v.notificationMissing) out.notificationsMissing += 1;
  if (v.inconsistent) out.inconsistent += 1;
}

export function emptyInvariants(orders: number, reconciled: number): Invariants {
  return {
    orders,
    confirmed: 0,
    cancelled: 0,
    pending: 0,
    chargedWithoutReservation: 0,
    doubleCharges: 0,
    reservedWithoutPayment: 0,
    inconsistent: 0,
    notificationsMissing: 0,
    reconciled,
  };
}

/**
 * Checks the business invariants over a settled shop. An order is consistent when
 * confirmed with exactly one live charge, one reservation, one shipment and a
 * confirmation sent; or cancelled with none of them and a cancellation sent.
 * Orders the orders service never recorded but another service acted on count too.
 */
export function checkInvariants(s: ShopSnapshot): Invariants {
  const out = emptyInvariants(s.orders.length, s.reconciliations.filter((r) => r.action !== 'flagged').length);
  for (const v of judgeOrders(s).values()) countVerdict(out, v);
  return out;
}

function rows<T>(path: string, sql: string): T[] {
  const db = openDbReadOnly(path);
  try {
    return db.prepare(sql).all() as T[];
  } catch (err) {
    // A service that never started has no tables yet: nothing recorded.
    if (/no such table/.test((err as Error).message)) return [];
    throw err;
  } finally {
    db.close();
  }
}

/** Reads each service's own SQLite file (read-only). */
export function readSnapshot(dbPaths: Record<ServiceName, string>): ShopSnapshot {
  return {
    orders: rows(dbPaths.orders, 'SELECT id, status FROM orders'),
    payments: rows(dbPaths.payments, 'SELECT order_id, status FROM payments'),
    reservations: rows(dbPaths.inventory, 'SELECT order_id, status FROM reservations'),
    shipments: rows(dbPaths.shipping, 'SELECT order_id, status FROM shipments'),
    notifications: rows(dbPaths.notifications, 'SELECT order_id, kind FROM notifications'),
    reconciliations: rows(dbPaths.orders, 'SELECT action FROM reconciliations'),
  };
}

/** What still has to happen before the shop is settled; empty when it is. */
export function unsettled(dbPaths: Record<ServiceName, string>, resilient: boolean): string[] {
  const waiting: string[] = [];
  const count = (path: string, sql: string): number => rows<{ n: number }>(path, sql)[0]?.n ?? 0;
  const open = count(dbPaths.orders, "SELECT COUNT(*) AS n FROM orders WHERE status IN ('pending', 'cancelling')");
  if (open > 0) waiting.push(`${open} orders not finished`);
  if (!resilient) return waiting;
  const unaudited = count(dbPaths.orders, 'SELECT COUNT(*) AS n FROM orders WHERE reconciled_ms IS NULL');
  if (unaudited > 0) waiting.push(`${unaudited} orders not reconciled`);
  let produced = 0;
  for (const name of ['orders', 'payments', 'inventory', 'shipping'] as const) {
    const queued = count(dbPaths[name], 'SELECT COUNT(*) AS n FROM faultline_outbox WHERE sent_at IS NULL');
    if (queued > 0) waiting.push(`${queued} events in ${name}'s outbox`);
    produced += count(dbPaths[name], 'SELECT COUNT(*) AS n FROM faultline_outbox');
  }
  const consumed = count(dbPaths.notifications, "SELECT COUNT(*) AS n FROM faultline_inbox WHERE consumer = 'notifications'");
  if (consumed < produced) waiting.push(`${produced - consumed} events not yet consumed by notifications`);
  const parked = count(dbPaths.notifications, 'SELECT COUNT(*) AS n FROM faultline_inbox_parked');
  if (parked > 0) waiting.push(`${parked} events parked waiting for their predecessors`);
  return waiting;
}
