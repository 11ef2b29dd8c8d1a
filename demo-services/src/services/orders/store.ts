import type { Db } from '../../lib/db.js';
import type { SqliteOutbox } from '@faultline/sdk/messaging';

export const ORDERS_SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  sku TEXT NOT NULL,
  qty INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'cancelling', 'confirmed', 'cancelled')),
  correlation_id TEXT,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  reconciled_ms INTEGER
);
CREATE INDEX IF NOT EXISTS orders_status ON orders(status, updated_ms);
CREATE TABLE IF NOT EXISTS sagas (
  order_id TEXT PRIMARY KEY REFERENCES orders(id),
  phase TEXT NOT NULL CHECK (phase IN ('forward', 'compensating', 'done')),
  step INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_run_ms INTEGER NOT NULL,
  last_error TEXT,
  updated_ms INTEGER NOT NULL,
  origin_traceparent TEXT
);
CREATE INDEX IF NOT EXISTS sagas_runnable ON sagas(phase, next_run_ms);
CREATE TABLE IF NOT EXISTS saga_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL,
  phase TEXT NOT NULL,
  step INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT,
  at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reconciliations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT,
  at_ms INTEGER NOT NULL
);
`;

export type OrderStatus = 'pending' | 'cancelling' | 'confirmed' | 'cancelled';

export interface OrderRow {
  id: string;
  sku: string;
  qty: number;
  amount: number;
  status: OrderStatus;
  correlation_id: string | null;
  created_ms: number;
  updated_ms: number;
  reconciled_ms: number | null;
}

export interface SagaRow {
  order_id: string;
  phase: 'forward' | 'compensating' | 'done';
  step: number;
  attempts: number;
  next_run_ms: number;
  last_error: string | null;
  updated_ms: number;
  /** W3C traceparent of the request that placed the order: later steps link back to it. */
  origin_traceparent: string | null;
}

/**
 * Brings a database created before a column existed up to `ORDERS_SCHEMA`
 * (`CREATE TABLE IF NOT EXISTS` leaves an existing table as it was).
 * Idempotent; run once when the service opens its database.
 */
export function migrateOrdersSchema(db: Db): void {
  const columns = new Set((db.prepare('PRAGMA table_info(sagas)').all() as { name: string }[]).map((c) => c.name));
  if (!columns.has('origin_traceparent')) db.exec('ALTER TABLE sagas ADD COLUMN origin_traceparent TEXT');
}

const PRICE_CENTS: Record<string, number> = { 'sku-1': 1000, 'sku-2': 1250, 'sku-3': 1500, 'sku-4': 1750, 'sku-5': 2000 };

export function priceOf(sku: string): number | undefined {
  return PRICE_CENTS[sku];
}

export function getOrder(db: Db, id: string): OrderRow | undefined {
  return db.prepare('SELECT * FROM orders WHERE id = ?').get(id) as OrderRow | undefined;
}

export function getSaga(db: Db, id: string): SagaRow | undefined {
  return db.prepare('SELECT * FROM sagas WHERE order_id = ?').get(id) as SagaRow | undefined;
}

/** `originTraceparent`: the placing request's trace context, kept with the saga (see `getTraceparent()`). */
export function insertOrder(
  db: Db,
  outbox: SqliteOutbox | undefined,
  order: Pick<OrderRow, 'id' | 'sku' | 'qty' | 'amount' | 'correlation_id'>,
  withSaga: boolean,
  originTraceparent?: string,
): void {
  db.transaction(() => {
    const now = Date.now();
    db.prepare("INSERT INTO orders (id, sku, qty, amount, status, correlation_id, created_ms, updated_ms) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)").run(
      order.id,
      order.sku,
      order.qty,
      order.amount,
      order.correlation_id,
      now,
      now,
    );
    if (!withSaga || !outbox) return;
    db.prepare("INSERT INTO sagas (order_id, phase, step, attempts, next_run_ms, updated_ms, origin_traceparent) VALUES (?, 'forward', 0, 0, ?, ?, ?)").run(
      order.id,
      now,
      now,
      originTraceparent ?? null,
    );
    outbox.add(db, {
      type: 'OrderCreated',
      key: order.id,
      payload: { orderId: order.id, sku: order.sku, qty: order.qty, amount: order.amount },
      ...(order.correlation_id ? { correlationId: order.correlation_id } : {}),
    });
  })();
}

/** Naive mode: a bare status update, nothing else recorded. */
export function setStatus(db: Db, id: string, status: OrderStatus): void {
  db.prepare('UPDATE orders SET status = ?, updated_ms = ? WHERE id = ?').run(status, Date.now(), id);
}

export function logSaga(db: Db, orderId: string, phase: string, step: number, outcome: string, detail?: string): void {
  db.prepare('INSERT INTO saga_log (order_id, phase, step, outcome, detail, at_ms) VALUES (?, ?, ?, ?, ?, ?)').run(orderId, phase, step, outcome, detail ?? null, Date.now());
}
