import { AsyncResource } from 'node:async_hooks';
import { SpanStatusCode } from '@opentelemetry/api';
import { runDetached, transaction } from '@faultline/sdk';
import type { Db } from '../lib/db.js';
import type { SqliteOutbox } from '@faultline/sdk/messaging';
import { getOrder, getSaga, logSaga, type OrderRow, type SagaRow } from '../services/orders/store.js';
import type { SagaClients, SagaStep, StepResult } from './orderSaga.js';

export interface SagaExecutorOptions {
  /** How often persisted sagas are looked for, ms. Default 50. */
  pollMs?: number;
  /** Sagas run at once by the poller. Default 32. */
  maxConcurrent?: number;
  /** First pause after a failed compensation, ms; doubles up to `maxBackoffMs`. Default 200. */
  baseBackoffMs?: number;
  /** Default 5000. */
  maxBackoffMs?: number;
}

export type SagaOutcome = 'confirmed' | 'cancelling' | 'cancelled' | 'pending';

/**
 * Runs the order saga from its persisted state. Every transition is one
 * SQLite transaction (state + log + outbox event), so a process killed at any
 * point resumes from the last committed step: forward steps are re-run with
 * the same idempotency key, compensations are re-run until they succeed.
 */
export class SagaExecutor {
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly pollMs: number;
  private readonly maxConcurrent: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  /** Detached from any request: compensations must not inherit a caller's deadline. */
  private readonly detached: (fn: () => void) => void;

  constructor(
    private readonly db: Db,
    private readonly outbox: SqliteOutbox,
    private readonly steps: readonly SagaStep[],
    private readonly clients: SagaClients,
    options: SagaExecutorOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 50;
    this.maxConcurrent = options.maxConcurrent ?? 32;
    this.baseBackoffMs = options.baseBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.detached = AsyncResource.bind((fn: () => void) => fn());
  }

  start(): void {
    this.detached(() => this.schedule());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Whether this process is executing the saga right now. */
  isRunning(orderId: string): boolean {
    return this.inFlight.has(orderId);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.poll();
      this.schedule();
    }, this.pollMs);
  }

  private poll(): void {
    const free = this.maxConcurrent - this.inFlight.size;
    if (free <= 0) return;
    const rows = this.db
      .prepare("SELECT order_id FROM sagas WHERE phase != 'done' AND next_run_ms <= ? ORDER BY next_run_ms LIMIT ?")
      .all(Date.now(), free + this.inFlight.size) as { order_id: string }[];
    let started = 0;
    for (const { order_id: id } of rows) {
      if (started >= free) break;
      if (this.inFlight.has(id)) continue;
      started += 1;
      void this.run(id).catch((err: unknown) => console.error(`saga ${id}:`, err));
    }
  }

  /**
   * Runs the saga until it is done or waits for a retry. Called inline by the
   * request (`inline`: its trace and deadline apply to the forward steps, and
   * compensation is handed off) and by the poller.
   */
  async run(orderId: string, inline = false): Promise<SagaOutcome> {
    if (this.inFlight.has(orderId)) return this.outcome(orderId);
    this.inFlight.add(orderId);
    let handOff: OrderRow | undefined;
    try {
      const order = getOrder(this.db, orderId);
      if (!order) return 'pending';
      if (getSaga(this.db, orderId)?.phase === 'forward') await this.forward(order, inline);
      if (getSaga(this.db, orderId)?.phase === 'compensating' && !this.stopped) {
        if (inline) handOff = order;
        else await this.compensate(order);
      }
    } finally {
      this.inFlight.delete(orderId);
    }
    // Compensate now, but outside the request: its deadline must not cut the undo short.
    if (handOff) {
      const order = handOff;
      this.detached(() => void this.compensateDetached(order));
    }
    return this.outcome(orderId);
  }

  private async compensateDetached(order: OrderRow): Promise<void> {
    if (this.inFlight.has(order.id)) return;
    this.inFlight.add(order.id);
    try {
      await this.compensate(order);
    } catch (err) {
      console.error(`saga ${order.id}: compensation error`, err);
    } finally {
      this.inFlight.delete(order.id);
    }
  }

  private outcome(orderId: string): SagaOutcome {
    const status = getOrder(this.db, orderId)?.status;
    return status === 'confirmed' || status === 'cancelled' || status === 'cancelling' ? status : 'pending';
  }

  private async forward(order: OrderRow, inline: boolean): Promise<void> {
    for (;;) {
      const saga = getSaga(this.db, order.id);
      if (!saga || saga.phase !== 'forward' || this.stopped) return;
      const step = this.steps[saga.step];
      if (!step) return this.traced(order, saga, inline, 'saga.finish confirmed', () => this.confirm(order, saga));
      const result = await this.traced(order, saga, inline, `saga.step ${step.name}`, () => this.txStep(order, step.name, 'forward', () => step.run(order, this.clients)));
      if (result.ok) {
        this.advance(order.id, saga.step + 1, 'forward', `${step.name} done`);
        continue;
      }
      // Failed (or outcome unknown): undo from this step backwards.
      this.db.transaction(() => {
        const now = Date.now();
        this.db
          .prepare("UPDATE sagas SET phase = 'compensating', attempts = 0, next_run_ms = ?, last_error = ?, updated_ms = ? WHERE order_id = ?")
          .run(now, result.error.slice(0, 500), now, order.id);
        this.db.prepare("UPDATE orders SET status = 'cancelling', updated_ms = ? WHERE id = ?").run(now, order.id);
        logSaga(this.db, order.id, 'forward', saga.step, 'failed', `${step.name}: ${result.error.slice(0, 300)}`);
      })();
      return;
    }
  }

  private async compensate(order: OrderRow): Promise<void> {
    for (;;) {
      const saga = getSaga(this.db, order.id);
      if (!saga || saga.phase !== 'compensating' || this.stopped) return;
      if (saga.step < 0) return this.traced(order, saga, false, 'saga.finish cancelled', () => this.cancel(order));
      const step = this.steps[Math.min(saga.step, this.steps.length - 1)]!;
      const result = await this.traced(order, saga, false, `saga.compensate ${step.name}`, () => this.txStep(order, step.name, 'compensating', () => step.compensate(order, this.clients)));
      if (result.ok) {
        this.advance(order.id, Math.min(saga.step, this.steps.length - 1) - 1, 'compensating', `${step.name} compensated`);
        continue;
      }
      const now = Date.now();
      const delay = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.min(saga.attempts, 10));
      this.db
        .prepare('UPDATE sagas SET attempts = attempts + 1, next_run_ms = ?, last_error = ?, updated_ms = ? WHERE order_id = ?')
        .run(now + delay, result.error.slice(0, 500), now, order.id);
      return;
    }
  }

  /**
   * Inside the placing request (`inline`) work is already part of its trace.
   * Anywhere else (the poller, a compensation handed off, a resume after a
   * crash) it runs in a new trace linked to that request and marked as
   * background work, so it is never mistaken for a new entry request.
   */
  private traced<T extends StepResult | void>(order: OrderRow, saga: SagaRow, inline: boolean, name: string, fn: () => T | Promise<T>): T | Promise<T> {
    if (inline) return fn();
    const options = { origin: saga.origin_traceparent, ...(order.correlation_id ? { correlationId: order.correlation_id } : {}) };
    return runDetached(name, options, async (span) => {
      const result = await fn();
      if (result && !result.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.slice(0, 200) });
      return result;
    });
  }

  /** Transaction telemetry around one step: the collector follows the order's saga from these events. */
  private async txStep(order: OrderRow, name: string, phase: 'forward' | 'compensating', run: () => Promise<StepResult>): Promise<StepResult> {
    const tx = transaction({ id: order.id, type: 'order' });
    if (phase === 'forward') tx.stepStarted(name);
    else tx.compensationStarted(name);
    const result = await run();
    if (!result.ok) tx.stepFailed(name, result.error);
    else if (phase === 'forward') tx.stepSucceeded(name);
    else tx.compensationSucceeded(name);
    return result;
  }

  private advance(orderId: string, step: number, phase: SagaRow['phase'], detail: string): void {
    this.db.transaction(() => {
      const now = Date.now();
      this.db.prepare('UPDATE sagas SET step = ?, attempts = 0, next_run_ms = ?, updated_ms = ? WHERE order_id = ?').run(step, now, now, orderId);
      logSaga(this.db, orderId, phase, step, 'ok', detail);
    })();
  }

  private confirm(order: OrderRow, saga: SagaRow): void {
    this.finish(order, saga, 'confirmed', 'OrderConfirmed');
  }

  private cancel(order: OrderRow): void {
    const saga = getSaga(this.db, order.id);
    if (saga) this.finish(order, saga, 'cancelled', 'OrderCancelled');
  }

  private finish(order: OrderRow, saga: SagaRow, status: 'confirmed' | 'cancelled', eventType: string): void {
    if (status === 'confirmed') transaction({ id: order.id, type: 'order' }).completed();
    else transaction({ id: order.id, type: 'order' }).compensated();
    this.db.transaction(() => {
      const now = Date.now();
      this.db.prepare("UPDATE sagas SET phase = 'done', updated_ms = ? WHERE order_id = ?").run(now, order.id);
      this.db.prepare('UPDATE orders SET status = ?, updated_ms = ? WHERE id = ?').run(status, now, order.id);
      logSaga(this.db, order.id, saga.phase, saga.step, status);
      this.outbox.add(this.db, {
        type: eventType,
        key: order.id,
        payload: { orderId: order.id, status },
        ...(order.correlation_id ? { correlationId: order.correlation_id } : {}),
      });
    })();
  }
}
