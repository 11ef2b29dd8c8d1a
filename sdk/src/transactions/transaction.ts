// Saga / workflow telemetry: the wire format the collector turns into per-transaction state
// (CONTRACT "distributed transactions"). Not a workflow engine: the application runs its
// steps; this records what happened to them as span events carrying the transaction id, type
// and step, on a span of the step (or on the active span), so that steps taken by different
// services and processes join into one transaction by id. Never throws into user code.
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { getTracer } from '../telemetry/tracer.js';

export const ATTR_TX_ID = 'faultline.tx.id';
export const ATTR_TX_TYPE = 'faultline.tx.type';
export const ATTR_TX_STEP = 'faultline.tx.step';
export const ATTR_VIOLATION = 'faultline.violation';

export const TX_EVENT = {
  stepStarted: 'tx.step.started',
  stepSucceeded: 'tx.step.succeeded',
  stepFailed: 'tx.step.failed',
  compensationStarted: 'tx.compensation.started',
  compensationSucceeded: 'tx.compensation.succeeded',
  completed: 'tx.completed',
  compensated: 'tx.compensated',
  failed: 'tx.failed',
  consistencyViolation: 'consistency.violation',
} as const;

export interface TransactionRef {
  /** Business id shared by every service taking part (an order id). 1–256 chars. */
  id: string;
  /** Kind of transaction, e.g. `order`. Used as a metrics label: keep it low-cardinality. */
  type: string;
}

export interface StepOptions<T> {
  /** Judges a result that is not a thrown error: a reason string marks the step failed. */
  failedIf?: (result: T) => string | undefined | null | false;
}

const clip = (s: string, max = 256) => (s.length > max ? s.slice(0, max) : s);

/**
 * A span is exported only when it ends, so an event on a span that is still open (a step that
 * hangs) would reach the collector only once the step is over. Starts are therefore recorded
 * on a short span of their own, ended at once: a hung step shows as in flight, then stuck.
 */
const RECORDED_AT_ONCE = new Set<string>([TX_EVENT.stepStarted, TX_EVENT.compensationStarted]);

function record(ref: TransactionRef, name: string, step: string | undefined, extra: Record<string, string> = {}, span?: Span): void {
  try {
    const attributes: Record<string, string> = { [ATTR_TX_ID]: clip(ref.id), [ATTR_TX_TYPE]: clip(ref.type), ...extra };
    if (step !== undefined) attributes[ATTR_TX_STEP] = clip(step);
    const target = span ?? trace.getActiveSpan();
    if (target && target.isRecording() && !RECORDED_AT_ONCE.has(name)) {
      target.addEvent(name, attributes);
      return;
    }
    // A short span of its own: no span to hang the event on, or the event must not wait for one to end.
    const parent = target ? trace.setSpan(context.active(), target) : context.active();
    const own = getTracer().startSpan(`tx ${clip(ref.type, 64)} ${name}`, { kind: SpanKind.INTERNAL, attributes }, parent);
    own.addEvent(name, attributes);
    own.end();
  } catch {
    // telemetry must never break the transaction
  }
}

/**
 * Handle for one distributed transaction (saga). Create one wherever a service works on the
 * transaction; handles with the same id in different services describe the same transaction.
 *
 * @example
 * ```ts
 * import { transaction } from '@faultline/sdk';
 * const tx = transaction({ id: order.id, type: 'order' });
 * await tx.step('reserve-stock', () => inventory.reserve(order));
 * try {
 *   await tx.step('capture-payment', () => payments.capture(order));
 *   tx.completed();
 * } catch {
 *   await tx.compensation('reserve-stock', () => inventory.release(order));
 *   tx.compensated();
 * }
 * ```
 */
export class Transaction {
  constructor(readonly ref: TransactionRef) {}

  /**
   * Runs one forward step inside a span `tx <type> <step>` with the transaction attributes,
   * recording `tx.step.started`, then `tx.step.succeeded` or `tx.step.failed` (a thrown error,
   * or a result `failedIf` rejects). The step's own calls become children of that span.
   */
  step<T>(name: string, fn: () => Promise<T> | T, options: StepOptions<T> = {}): Promise<T> {
    return this.run(name, fn, options, TX_EVENT.stepStarted, TX_EVENT.stepSucceeded, TX_EVENT.stepFailed);
  }

  /** Runs the compensation of a step: `tx.compensation.started`, then `tx.compensation.succeeded` or `tx.step.failed`. */
  compensation<T>(name: string, fn: () => Promise<T> | T, options: StepOptions<T> = {}): Promise<T> {
    return this.run(name, fn, options, TX_EVENT.compensationStarted, TX_EVENT.compensationSucceeded, TX_EVENT.stepFailed);
  }

  private async run<T>(name: string, fn: () => Promise<T> | T, options: StepOptions<T>, started: string, succeeded: string, failed: string): Promise<T> {
    let span: Span | undefined;
    try {
      span = getTracer().startSpan(`tx ${clip(this.ref.type, 64)} ${clip(name, 128)}`, {
        kind: SpanKind.INTERNAL,
        attributes: { [ATTR_TX_ID]: clip(this.ref.id), [ATTR_TX_TYPE]: clip(this.ref.type), [ATTR_TX_STEP]: clip(name) },
      });
      record(this.ref, started, name, {}, span);
    } catch {
      span = undefined;
    }
    const ctx = span ? trace.setSpan(context.active(), span) : context.active();
    try {
      const result = await context.with(ctx, fn);
      const reason = options.failedIf?.(result);
      if (reason) {
        record(this.ref, failed, name, { 'faultline.reason': clip(String(reason), 512) }, span);
        span?.setStatus({ code: SpanStatusCode.ERROR, message: clip(String(reason), 512) });
      } else record(this.ref, succeeded, name, {}, span);
      return result;
    } catch (err) {
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      record(this.ref, failed, name, { 'faultline.reason': clip(reason, 512) }, span);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: clip(reason, 512) });
      throw err;
    } finally {
      span?.end();
    }
  }

  /** Records `tx.step.started` alone (steps whose work is not a single function call). */
  stepStarted(name: string): void {
    record(this.ref, TX_EVENT.stepStarted, name);
  }

  stepSucceeded(name: string): void {
    record(this.ref, TX_EVENT.stepSucceeded, name);
  }

  stepFailed(name: string, reason?: string): void {
    record(this.ref, TX_EVENT.stepFailed, name, reason ? { 'faultline.reason': clip(reason, 512) } : {});
  }

  compensationStarted(name: string): void {
    record(this.ref, TX_EVENT.compensationStarted, name);
  }

  compensationSucceeded(name: string): void {
    record(this.ref, TX_EVENT.compensationSucceeded, name);
  }

  /** Final state: every step done. */
  completed(): void {
    record(this.ref, TX_EVENT.completed, undefined);
  }

  /** Final state: undone by its compensations. */
  compensated(): void {
    record(this.ref, TX_EVENT.compensated, undefined);
  }

  /** Final state: neither completed nor cleanly compensated. */
  failed(reason?: string): void {
    record(this.ref, TX_EVENT.failed, undefined, reason ? { 'faultline.reason': clip(reason, 512) } : {});
  }

  /** Reports that this transaction's services disagree (`kind`: a short name such as `charged_without_reservation`). */
  violation(kind: string): void {
    recordConsistencyViolation({ ...this.ref, kind });
  }
}

/**
 * A handle for the transaction `id` of `type`.
 *
 * @example
 * ```ts
 * const tx = transaction({ id: 'order-42', type: 'order' });
 * await tx.step('create-shipment', () => shipping.create(order));
 * ```
 */
export function transaction(ref: TransactionRef): Transaction {
  return new Transaction(ref);
}

/**
 * Records a `consistency.violation` event: a reconciler found that services disagree about a
 * transaction. The collector turns these into the ConsistencyViolation alert with the ids.
 *
 * @example
 * ```ts
 * recordConsistencyViolation({ id: order.id, type: 'order', kind: 'charged_without_reservation' });
 * ```
 */
export function recordConsistencyViolation(v: TransactionRef & { kind: string }): void {
  record(v, TX_EVENT.consistencyViolation, undefined, { [ATTR_VIOLATION]: clip(v.kind, 128) });
}
