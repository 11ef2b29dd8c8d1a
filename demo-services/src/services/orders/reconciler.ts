import { recordConsistencyViolation, runDetached } from '@faultline/sdk';
import type { ServiceFetch } from '../../lib/clients.js';
import type { Db } from '../../lib/db.js';
import type { SagaExecutor } from '../../saga/executor.js';
import type { OrderRow } from './store.js';
import { Periodic } from '../../lib/periodic.js';

export interface ReconcilerOptions {
  /** Default 1000 ms. */
  intervalMs?: number;
  /** A finished order is audited once it has been quiet this long, ms. Default 1000. */
  auditDelayMs?: number;
  /** A saga not moving for this long is looked into, ms. Default 8000. */
  stuckMs?: number;
  /** Orders looked at per round. Default 25. */
  batchSize?: number;
}

export interface Truth {
  captured: number;
  reserved: number;
  shipped: number;
}

/** What kind of disagreement an audit found, as the `consistency.violation` event names it; null when none. */
export function violationKind(status: string, truth: Truth): string | null {
  if (status === 'cancelled') {
    if (truth.captured > 0 && truth.reserved === 0) return 'charged_without_reservation';
    if (truth.reserved > 0 && truth.captured === 0) return 'reserved_without_payment';
    if (truth.captured > 0 || truth.reserved > 0 || truth.shipped > 0) return 'cancelled_but_held';
    return null;
  }
  if (truth.captured > 1) return 'double_charge';
  if (truth.captured === 1 && truth.reserved === 0) return 'charged_without_reservation';
  if (truth.reserved === 1 && truth.captured === 0) return 'reserved_without_payment';
  if (truth.captured !== 1 || truth.reserved !== 1 || truth.shipped !== 1) return 'confirmed_incomplete';
  return null;
}

/**
 * The safety net behind the saga: asks the owning services what they really
 * hold for each finished order and repairs disagreements (refund, release,
 * cancel), and nudges sagas that stopped moving. Every repair is a row in
 * `reconciliations`, which the scenario report counts.
 */
export class Reconciler {
  private readonly loop: Periodic;
  private readonly opts: Required<ReconcilerOptions>;

  constructor(
    private readonly db: Db,
    private readonly clients: { payments: ServiceFetch; inventory: ServiceFetch; shipping: ServiceFetch },
    private readonly executor: SagaExecutor,
    options: ReconcilerOptions = {},
  ) {
    this.opts = { intervalMs: 1000, auditDelayMs: 1000, stuckMs: 8000, batchSize: 25, ...options };
    this.loop = new Periodic('reconciler', this.opts.intervalMs, () => this.round());
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
  }

  async round(): Promise<void> {
    const now = Date.now();
    const stuck = this.db
      .prepare("SELECT order_id FROM sagas WHERE phase != 'done' AND updated_ms < ? LIMIT ?")
      .all(now - this.opts.stuckMs, this.opts.batchSize) as { order_id: string }[];
    for (const { order_id: id } of stuck) {
      if (this.executor.isRunning(id)) continue;
      this.db.transaction(() => {
        this.db.prepare('UPDATE sagas SET attempts = 0, next_run_ms = ?, updated_ms = ? WHERE order_id = ?').run(now, now, id);
        this.record(id, 'resumed-stuck-saga', 'no progress; retrying now');
        recordConsistencyViolation({ id, type: 'order', kind: 'stuck_order' });
      })();
    }
    const finished = this.db
      .prepare(
        `SELECT o.*, s.origin_traceparent FROM orders o LEFT JOIN sagas s ON s.order_id = o.id
         WHERE o.status IN ('confirmed', 'cancelled') AND o.reconciled_ms IS NULL AND o.updated_ms < ? ORDER BY o.updated_ms LIMIT ?`,
      )
      .all(now - this.opts.auditDelayMs, this.opts.batchSize) as (OrderRow & { origin_traceparent: string | null })[];
    // Each audit is background work for the order's request: a trace linked to it, not a new entry request.
    await Promise.all(finished.map((order) =>
      runDetached('reconcile order', { origin: order.origin_traceparent, ...(order.correlation_id ? { correlationId: order.correlation_id } : {}) }, () => this.audit(order))));
  }

  private async audit(order: OrderRow): Promise<void> {
    const truth = await this.ask(order.id);
    if (!truth) return;
    const repairs: Promise<boolean>[] = [];
    const kind = violationKind(order.status, truth);
    if (kind) recordConsistencyViolation({ id: order.id, type: 'order', kind });
    if (order.status === 'cancelled') {
      if (truth.captured > 0) repairs.push(this.repair(order.id, this.clients.payments, `/payments/${order.id}/refund`, 'refund'));
      if (truth.reserved > 0) repairs.push(this.repair(order.id, this.clients.inventory, `/reservations/${order.id}/release`, 'release'));
      if (truth.shipped > 0) repairs.push(this.repair(order.id, this.clients.shipping, `/shipments/${order.id}/cancel`, 'unship'));
    } else if (truth.captured !== 1 || truth.reserved !== 1 || truth.shipped !== 1) {
      // A confirmed order missing a piece cannot be completed from here; flag it for a human.
      this.record(order.id, 'flagged', JSON.stringify(truth));
    }
    const results = await Promise.all(repairs);
    if (results.every(Boolean)) this.db.prepare('UPDATE orders SET reconciled_ms = ? WHERE id = ?').run(Date.now(), order.id);
  }

  private async ask(orderId: string): Promise<Truth | undefined> {
    try {
      const [p, r, s] = await Promise.all([
        this.get(this.clients.payments, `/payments/${orderId}`),
        this.get(this.clients.inventory, `/reservations/${orderId}`),
        this.get(this.clients.shipping, `/shipments/${orderId}`),
      ]);
      return { captured: Number(p.captured ?? 0), reserved: Number(r.reserved ?? 0), shipped: Number(s.created ?? 0) };
    } catch {
      return undefined;
    }
  }

  private async get(client: ServiceFetch, path: string): Promise<Record<string, unknown>> {
    const res = await client(path);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  private async repair(orderId: string, client: ServiceFetch, path: string, action: string): Promise<boolean> {
    try {
      const res = await client(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', idempotencyKey: `${orderId}:reconcile:${action}` });
      await res.arrayBuffer();
      if (!res.ok) return false;
      this.record(orderId, action, 'service disagreed with the order status');
      return true;
    } catch {
      return false;
    }
  }

  private record(orderId: string, action: string, detail: string): void {
    this.db.prepare('INSERT INTO reconciliations (order_id, action, detail, at_ms) VALUES (?, ?, ?, ?)').run(orderId, action, detail, Date.now());
  }
}
