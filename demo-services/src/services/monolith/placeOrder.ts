import type { SqliteOutbox } from '@faultline/sdk/messaging';
import type { Db } from '../../lib/db.js';
import { captureOnce } from '../payments/ledger.js';
import { reserveOnce } from '../inventory/stock.js';
import { createShipment } from '../shipping/shipments.js';
import { getOrder, priceOf, type OrderRow } from '../orders/store.js';
import { HttpError } from '../../lib/http.js';

export type PlaceResult = { status: 'confirmed' | 'cancelled'; order: OrderRow; replayed: boolean; reason?: string };

/**
 * The monolith's order flow: the order, its reservation, its capture, its
 * shipment and the customer's notification commit in ONE local transaction,
 * with every fact written to the outbox in that same transaction. Either
 * everything happened or nothing did; there is nothing to compensate.
 */
export function placeOrderLocally(db: Db, outbox: SqliteOutbox, input: { id: string; sku: string; qty: number; correlationId: string | null }): PlaceResult {
  const price = priceOf(input.sku);
  if (price === undefined) throw new HttpError(400, `unknown sku ${input.sku}`);
  return db.transaction((): PlaceResult => {
    const existing = getOrder(db, input.id);
    if (existing) return { status: existing.status === 'confirmed' ? 'confirmed' : 'cancelled', order: existing, replayed: true };
    const now = Date.now();
    const order: OrderRow = {
      id: input.id,
      sku: input.sku,
      qty: input.qty,
      amount: price * input.qty,
      status: 'pending',
      correlation_id: input.correlationId,
      created_ms: now,
      updated_ms: now,
      reconciled_ms: now,
    };
    db.prepare('INSERT INTO orders (id, sku, qty, amount, status, correlation_id, created_ms, updated_ms, reconciled_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      order.id, order.sku, order.qty, order.amount, order.status, order.correlation_id, now, now, now,
    );
    const correlation = order.correlation_id ? { correlationId: order.correlation_id } : {};
    outbox.add(db, { type: 'OrderCreated', key: order.id, payload: { orderId: order.id, sku: order.sku, qty: order.qty, amount: order.amount }, ...correlation });
    const reserved = reserveOnce(db, outbox, order.id, order.sku, order.qty);
    let reason: string | undefined;
    if (reserved.kind === 'reserved' || reserved.kind === 'replayed') {
      const captured = captureOnce(db, outbox, order.id, order.amount, `${order.id}:capture`);
      if (captured.kind !== 'voided') createShipment(db, outbox, order.id, true);
      else reason = 'payment voided';
    } else {
      reason = reserved.kind;
    }
    // A refusal inside the flow leaves no effect behind: the reservation step refused before taking stock.
    const status = reason ? 'cancelled' : 'confirmed';
    const kind = status === 'confirmed' ? 'OrderConfirmed' : 'OrderCancelled';
    db.prepare('UPDATE orders SET status = ?, updated_ms = ? WHERE id = ?').run(status, Date.now(), order.id);
    const event = outbox.add(db, { type: kind, key: order.id, payload: { orderId: order.id, status }, ...correlation });
    db.prepare('INSERT INTO notifications (event_id, order_id, kind, created_ms) VALUES (?, ?, ?, ?)').run(event.id, order.id, kind, Date.now());
    return { status, order: { ...order, status }, replayed: false, ...(reason ? { reason } : {}) };
  })();
}
