import { openDbReadOnly } from '../lib/db.js';
import type { AnyServiceName, ServiceName } from '../lib/config.js';
import { countVerdict, emptyInvariants, judgeOrders, readSnapshot, type Invariants, type OrderVerdict, type ShopSnapshot } from '../scenarios/invariants.js';
import { percentileMs } from '../scenarios/load.js';

/** Both architectures' databases, read (read-only) after a run. */
export interface SidesSnapshot {
  services: ShopSnapshot;
  monolith: ShopSnapshot;
}

export function readSides(dbPaths: Record<AnyServiceName, string>): SidesSnapshot {
  const m = dbPaths.monolith;
  const monolithPaths: Record<ServiceName, string> = { gateway: m, orders: m, payments: m, inventory: m, shipping: m, notifications: m };
  return { services: readSnapshot(dbPaths), monolith: readSnapshot(monolithPaths) };
}

export interface SidesVerdict {
  invariants: Invariants;
  /** Orders the two sides disagree on (status or live effects), or that one side is missing while the sync must hold. */
  sidesDisagree: number;
  /** The write side's view of each order: status and effects, for the read-model check. */
  writeSide: Map<string, OrderVerdict>;
}

/**
 * The invariants of a migration, per order id across both sides. An order is
 * inconsistent when it breaks an invariant on either side where it exists,
 * and, while the data sync must keep both sides equal (`requireBothSides`),
 * when one side lacks it or the two disagree. Its status is the services'
 * copy when they have one, else the monolith's.
 */
export function judgeSides(s: SidesSnapshot, requireBothSides: boolean): SidesVerdict {
  const svc = judgeOrders(s.services);
  const mono = judgeOrders(s.monolith);
  const ids = new Set([...svc.keys(), ...mono.keys()]);
  const writeSide = new Map<string, OrderVerdict>();
  let sidesDisagree = 0;
  const reconciled = [...s.services.reconciliations, ...s.monolith.reconciliations].filter((r) => r.action !== 'flagged').length;
  const known = new Set([...s.services.orders.map((o) => o.id), ...s.monolith.orders.map((o) => o.id)]);
  const out = emptyInvariants(known.size, reconciled);
  for (const id of ids) {
    const a = svc.get(id);
    const b = mono.get(id);
    const primary = a && a.status !== 'missing' ? a : (b ?? a)!;
    const disagree = requireBothSides && (!a || !b || a.status !== b.status || a.effects !== b.effects);
    if (disagree) sidesDisagree += 1;
    const any = (k: keyof Pick<OrderVerdict, 'chargedWithoutReservation' | 'doubleCharge' | 'reservedWithoutPayment' | 'notificationMissing' | 'inconsistent'>): boolean => Boolean(a?.[k] || b?.[k]);
    countVerdict(out, {
      status: primary.status,
      chargedWithoutReservation: any('chargedWithoutReservation'),
      doubleCharge: any('doubleCharge'),
      reservedWithoutPayment: any('reservedWithoutPayment'),
      notificationMissing: any('notificationMissing'),
      inconsistent: any('inconsistent') || disagree,
    });
    writeSide.set(id, primary);
  }
  return { invariants: out, sidesDisagree, writeSide };
}

export interface ReadModelReport {
  /** Orders in the order-history view. */
  orders: number;
  /** Every order of the write side is in the view with the same status, payment, reservation and shipment. */
  converged: boolean;
  /** Orders missing from the view or different there. */
  mismatched: number;
  /** Time from an event's creation to its application in the view. */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

/** Compares the history view (its own database) with the write side's verdicts. */
export function checkReadModel(historyDbPath: string, writeSide: Map<string, OrderVerdict>): ReadModelReport {
  const db = openDbReadOnly(historyDbPath);
  try {
    const rows = db.prepare('SELECT order_id, status, captured, reserved, shipped FROM order_history').all() as {
      order_id: string;
      status: string;
      captured: number;
      reserved: number;
      shipped: number;
    }[];
    const lags = (db.prepare('SELECT applied_ms - event_ms AS lag FROM history_lag').all() as { lag: number }[]).map((r) => Math.max(0, r.lag));
    const view = new Map(rows.map((r) => [r.order_id, r]));
    let mismatched = 0;
    for (const [id, v] of writeSide) {
      if (v.status === 'missing') continue;
      const r = view.get(id);
      const [c, res, sh] = v.effects.split('/').map((x) => Math.min(1, Number(x)));
      if (!r || r.status !== v.status || r.captured !== c || r.reserved !== res || r.shipped !== sh) mismatched += 1;
    }
    return {
      orders: rows.length,
      converged: mismatched === 0,
      mismatched,
      lagP50Ms: percentileMs(lags, 0.5),
      lagP99Ms: percentileMs(lags, 0.99),
      lagMaxMs: lags.length ? Math.max(...lags) : 0,
    };
  } catch (err) {
    if (/no such table/.test((err as Error).message)) return { orders: 0, converged: writeSide.size === 0, mismatched: writeSide.size, lagP50Ms: 0, lagP99Ms: 0, lagMaxMs: 0 };
    throw err;
  } finally {
    db.close();
  }
}

/** Events still waiting in any outbox of the given databases. */
export function pendingEvents(paths: readonly string[]): number {
  let n = 0;
  for (const path of new Set(paths)) {
    const db = openDbReadOnly(path);
    try {
      n += (db.prepare('SELECT COUNT(*) AS n FROM faultline_outbox WHERE sent_at IS NULL').get() as { n: number }).n;
    } catch (err) {
      if (!/no such table/.test((err as Error).message)) throw err;
    } finally {
      db.close();
    }
  }
  return n;
}
