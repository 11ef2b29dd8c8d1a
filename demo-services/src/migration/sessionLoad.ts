import { createRandom } from '../lib/prng.js';
import { ROUTE_SPECS } from '../services/gateway/routing.js';

export interface SessionResult {
  /** When the request was due or sent (epoch ms); latency counts from here. */
  scheduledMs: number;
  latencyMs: number;
  /** HTTP status; 0 = no answer before the timeout. */
  status: number;
  /** The route's name (`orders`, `reservations`, ...). */
  route: string;
  method: 'GET' | 'POST';
  /** The gateway's `x-served-by`, when it answered. */
  servedBy?: 'monolith' | 'services';
  /** The order the request was about, once one was placed. */
  orderId?: string;
}

export interface SessionLoadOptions {
  url: string;
  /** Sessions started per second (each: one order, then one read per route). */
  rps: number;
  seed: number;
  /** Default 20 000 ms. */
  timeoutMs?: number;
  /** Sessions open at once; beyond it a session is skipped and counted as status -1. Default 2000. */
  maxInFlight?: number;
}

const SKUS = ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5'];

async function send(url: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; servedBy?: 'monolith' | 'services'; body?: Record<string, unknown> }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    const served = res.headers.get('x-served-by');
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    return { status: res.status, ...(served === 'monolith' || served === 'services' ? { servedBy: served } : {}), ...(body ? { body } : {}) };
  } catch {
    return { status: 0 };
  }
}

/**
 * What a customer does during the migration: place an order, then look at
 * it through every public route (order, payment, reservation, shipment,
 * notifications), so every route carries traffic to judge. Sessions start
 * open-loop at `rps` until `signal` aborts; resolves once every session ended.
 */
export async function runSessionLoad(options: SessionLoadOptions, signal: AbortSignal): Promise<SessionResult[]> {
  const random = createRandom(options.seed);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxInFlight = options.maxInFlight ?? 2000;
  const results: SessionResult[] = [];
  const sessions: Promise<void>[] = [];
  let open = 0;
  const start = Date.now();
  let next = 0;

  const session = async (dueMs: number): Promise<void> => {
    const body = JSON.stringify({ sku: SKUS[Math.floor(random() * SKUS.length)], qty: 1 + Math.floor(random() * 3) });
    const placed = await send(`${options.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }, timeoutMs);
    results.push({ scheduledMs: dueMs, latencyMs: Date.now() - dueMs, status: placed.status, route: 'orders', method: 'POST', ...(placed.servedBy ? { servedBy: placed.servedBy } : {}) });
    const orderId = typeof placed.body?.orderId === 'string' ? placed.body.orderId : undefined;
    if (!orderId) return;
    for (const spec of [...ROUTE_SPECS].reverse()) {
      const sentMs = Date.now();
      const read = await send(`${options.url}${spec.prefix}/${orderId}`, {}, timeoutMs);
      results.push({ scheduledMs: sentMs, latencyMs: Date.now() - sentMs, status: read.status, route: spec.name, method: 'GET', orderId, ...(read.servedBy ? { servedBy: read.servedBy } : {}) });
    }
  };

  while (!signal.aborted) {
    while (start + next <= Date.now() && !signal.aborted) {
      const due = start + next;
      next += 1000 / options.rps;
      if (open >= maxInFlight) {
        results.push({ scheduledMs: due, latencyMs: 0, status: -1, route: 'orders', method: 'POST' });
        continue;
      }
      open += 1;
      sessions.push(session(due).finally(() => (open -= 1)));
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(0, start + next - Date.now()))));
  }
  await Promise.all(sessions);
  return results.sort((a, b) => a.scheduledMs - b.scheduledMs);
}
