import type { ServiceFetch } from '../lib/clients.js';

export interface SagaOrder {
  id: string;
  sku: string;
  qty: number;
  amount: number;
}

export interface SagaClients {
  inventory: ServiceFetch;
  payments: ServiceFetch;
  shipping: ServiceFetch;
}

/** `definite`: the service said no (4xx) and asking again will not change that. */
export type StepResult = { ok: true } | { ok: false; definite: boolean; error: string };

export interface SagaStep {
  name: string;
  run(order: SagaOrder, clients: SagaClients): Promise<StepResult>;
  compensate(order: SagaOrder, clients: SagaClients): Promise<StepResult>;
}

async function call(fetchFn: ServiceFetch, path: string, key: string, body?: unknown): Promise<StepResult> {
  try {
    const res = await fetchFn(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
      idempotencyKey: key,
    });
    const text = await res.text();
    if (res.ok) return { ok: true };
    return { ok: false, definite: res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429, error: `HTTP ${res.status} ${text.slice(0, 120)}` };
  } catch (err) {
    return { ok: false, definite: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/**
 * The order flow, in order. Each step's idempotency key is derived from the
 * order id, so re-running a step after a crash or a timeout can never act twice;
 * each compensation is safe even when its step never happened (the services
 * leave a tombstone that refuses a late arrival of the step).
 */
export const ORDER_SAGA: readonly SagaStep[] = [
  {
    name: 'reserve-stock',
    run: (o, c) => call(c.inventory, '/reservations', `${o.id}:reserve`, { orderId: o.id, sku: o.sku, qty: o.qty }),
    compensate: (o, c) => call(c.inventory, `/reservations/${o.id}/release`, `${o.id}:release`),
  },
  {
    name: 'capture-payment',
    run: (o, c) => call(c.payments, '/payments', `${o.id}:capture`, { orderId: o.id, amount: o.amount }),
    compensate: (o, c) => call(c.payments, `/payments/${o.id}/refund`, `${o.id}:refund`),
  },
  {
    name: 'create-shipment',
    run: (o, c) => call(c.shipping, '/shipments', `${o.id}:ship`, { orderId: o.id }),
    compensate: (o, c) => call(c.shipping, `/shipments/${o.id}/cancel`, `${o.id}:unship`),
  },
];
