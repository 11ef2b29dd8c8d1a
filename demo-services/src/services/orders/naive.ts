import { transaction } from '@faultline/sdk';
import type { ServiceFetch } from '../../lib/clients.js';
import type { Db } from '../../lib/db.js';
import { setStatus, type OrderRow } from './store.js';

export interface NaiveClients {
  payments: ServiceFetch;
  shipping: ServiceFetch;
  notifications: ServiceFetch;
}

async function post(client: ServiceFetch, path: string, body: unknown): Promise<{ ok: boolean; error: string }> {
  try {
    const res = await client(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    return { ok: res.ok, error: res.ok ? '' : `HTTP ${res.status} ${text.slice(0, 120)}` };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The incident's order flow: one synchronous chain, no timeouts, no undo.
 * A failure after the charge leaves the charge in place.
 */
export async function placeOrderNaive(db: Db, clients: NaiveClients, order: OrderRow): Promise<{ status: 'confirmed' | 'cancelled'; error?: string }> {
  // Telemetry only: the flow still has no timeouts and no undo, so a hung call shows as a stuck transaction.
  const tx = transaction({ id: order.id, type: 'order' });
  const failedIf = (r: { ok: boolean; error: string }) => (r.ok ? undefined : r.error);
  const charged = await tx.step('charge-and-reserve', () => post(clients.payments, '/payments/charge-and-reserve', { orderId: order.id, amount: order.amount, sku: order.sku, qty: order.qty }), { failedIf });
  let error = charged.error;
  if (charged.ok) {
    const shipped = await tx.step('create-shipment', () => post(clients.shipping, '/shipments', { orderId: order.id }), { failedIf });
    error = shipped.error;
    if (shipped.ok) {
      tx.completed();
      setStatus(db, order.id, 'confirmed');
      await post(clients.notifications, '/notify', { orderId: order.id, kind: 'OrderConfirmed' });
      return { status: 'confirmed' };
    }
  }
  tx.failed(error);
  setStatus(db, order.id, 'cancelled');
  await post(clients.notifications, '/notify', { orderId: order.id, kind: 'OrderCancelled' });
  return { status: 'cancelled', error };
}
