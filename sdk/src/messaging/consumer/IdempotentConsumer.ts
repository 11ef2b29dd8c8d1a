import { context, trace, type Span } from '@opentelemetry/api';
import { runWithContext } from '../../context/index.js';
import { ENVELOPE_LIMITS, parseEnvelope, type EventEnvelope } from '../envelope.js';
import { isEnvelopeValidationError, MessagingConfigError } from '../errors.js';
import { endSpan, startConsumerSpan, type TraceMode } from '../telemetry.js';
import type { InboxDriver } from './InboxDriver.js';
import {
  applyParkedSteps,
  deadLettersSteps,
  failureSteps,
  isOrdered,
  malformedSteps,
  nextParkedSteps,
  parkedGroupsSteps,
  pruneInboxSteps,
  receiveSteps,
  skipGapSteps,
  type ConsumeOutcome,
  type DeadLetterRow,
  type FailurePolicy,
  type StepContext,
} from './steps.js';

export interface HandlerContext<Tx> {
  /** Write through this: it is the transaction the inbox row commits in. */
  readonly tx: Tx;
  readonly correlationId: string;
  /** True when the event arrived after its key's cursor moved past it (park timeout gave up on it). */
  readonly late: boolean;
  /** The CONSUMER span, for your own attributes or events. */
  readonly span: Span;
}

export type EventHandler<Tx> = (event: EventEnvelope<any>, ctx: HandlerContext<Tx>) => unknown;

export interface OrderingOptions {
  /** How long a key may wait for a missing predecessor before it is skipped. Default 30 000 ms. */
  parkTimeoutMs?: number;
  /** How often parked events are re-examined. Default 1000 ms. */
  sweepIntervalMs?: number;
}

export interface IdempotentConsumerOptions<Tx> {
  /** Consumer (group) name: the inbox is per name, so two consumers of one event each apply it once. */
  name: string;
  inbox: InboxDriver<Tx>;
  /** Handler per event type. Types without a handler are acknowledged and recorded as ignored. */
  handlers: Record<string, EventHandler<Tx>>;
  /** Attempts before a failing event goes to the dead letter table. Default 5. */
  maxAttempts?: number;
  /**
   * Deliveries (as counted by the transport, e.g. JetStream) after which an
   * event not yet applied is dead-lettered without running the handler: an
   * event that crashes the process or outlives the ack wait never records an
   * attempt. Default 3 × maxAttempts, at least 10.
   */
  maxDeliveries?: number;
  /** Suggested redelivery delay after the first failure; doubles per attempt. Default 200 ms. */
  retryInitialDelayMs?: number;
  /** Cap of the redelivery delay. Default 30 000 ms. */
  retryMaxDelayMs?: number;
  /** Per-key ordering by the envelope's `key` + `sequence`. Default off. */
  ordering?: boolean | OrderingOptions;
  /** `child` (default) continues the producer's trace; `link` starts a new one with a span link. */
  traceMode?: TraceMode;
  /** Called after a dead letter is committed. */
  onDeadLetter?: (deadLetter: DeadLetter) => void;
  /** Background failures (sweeps). Default: console.warn. */
  onError?: (error: Error) => void;
  /** Injected for tests. Default Date.now. */
  clock?: () => number;
}

export interface DeadLetter {
  readonly consumer: string;
  readonly eventId?: string;
  readonly type?: string;
  readonly reason: string;
}

export interface DeliveryInfo {
  /** `messaging.system`; default `unknown`. */
  readonly system?: string;
  /** Subject / URL path; default the event type. */
  readonly destination?: string;
  /** 1 on first delivery, when the transport knows. */
  readonly deliveryCount?: number;
}

/** Thrown inside the transaction so that only handler errors count as attempts. */
class HandlerFailure extends Error {
  constructor(readonly original: Error) {
    super(original.message);
  }
}

const RAW_DEAD_LETTER_CHARS = 64 * 1024;
const DRAIN_MAX_PER_KEY = 10_000;
const SWEEP_GROUPS_MAX = 1000;

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function rawText(raw: string | Uint8Array | object): string {
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (raw instanceof Uint8Array) text = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, RAW_DEAD_LETTER_CHARS * 4)).toString('utf8');
  else {
    try {
      text = JSON.stringify(raw) ?? String(raw);
    } catch {
      text = '[unserializable]';
    }
  }
  return text.slice(0, RAW_DEAD_LETTER_CHARS);
}

/** Best effort id/type of a rejected message, so the dead letter can be traced back. */
function peekField(raw: string | Uint8Array | object, field: 'id' | 'type'): string | undefined {
  let obj: unknown = raw;
  if (typeof raw === 'string' || raw instanceof Uint8Array) {
    if ((typeof raw === 'string' ? raw.length : raw.byteLength) > ENVELOPE_LIMITS.envelopeBytes) return undefined;
    try {
      obj = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
    } catch {
      return undefined;
    }
  }
  if (typeof obj !== 'object' || obj === null) return undefined;
  const v = (obj as Record<string, unknown>)[field];
  return typeof v === 'string' && v.length <= 128 ? v : undefined;
}

/**
 * Applies each event once per consumer name, whatever the transport delivers:
 * the handler's writes and the inbox row commit in one transaction, so a
 * redelivery is acknowledged without running the handler again.
 * @example
 * const consumer = new IdempotentConsumer({
 *   name: 'notifications',
 *   inbox: new SqliteInbox(db),
 *   handlers: {
 *     OrderCreated: (event, { tx }) => {
 *       tx.prepare('INSERT INTO emails (order_id) VALUES (?)').run(event.payload.orderId);
 *     },
 *   },
 *   ordering: true,
 * });
 * await consumer.ensureSchema();
 * const outcome = await consumer.handle(messageBytes);   // transports call this for you
 */
export class IdempotentConsumer<Tx> {
  readonly name: string;
  private readonly inbox: InboxDriver<Tx>;
  private readonly handlers: Record<string, EventHandler<Tx>>;
  private readonly policy: FailurePolicy;
  private readonly maxDeliveries: number;
  private lastSystem: string | undefined;
  private readonly ordering: boolean;
  private readonly parkTimeoutMs: number;
  private readonly sweepIntervalMs: number;
  private readonly traceMode: TraceMode;
  private readonly onDeadLetter: ((d: DeadLetter) => void) | undefined;
  private readonly onError: (e: Error) => void;
  private readonly clock: () => number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private sweepFailing = false;
  private closed = false;

  constructor(options: IdempotentConsumerOptions<Tx>) {
    if (!/^[A-Za-z0-9._:-]{1,128}$/.test(options.name)) {
      throw new MessagingConfigError('consumer name must be 1-128 chars of [A-Za-z0-9._:-]');
    }
    this.name = options.name;
    this.inbox = options.inbox;
    this.handlers = { ...options.handlers };
    for (const h of Object.values(this.handlers)) this.inbox.checkHandler(h);
    this.policy = {
      maxAttempts: options.maxAttempts ?? 5,
      retryInitialDelayMs: options.retryInitialDelayMs ?? 200,
      retryMaxDelayMs: options.retryMaxDelayMs ?? 30_000,
    };
    if (!Number.isInteger(this.policy.maxAttempts) || this.policy.maxAttempts < 1) {
      throw new MessagingConfigError('maxAttempts must be a positive integer');
    }
    this.maxDeliveries = options.maxDeliveries ?? Math.max(10, 3 * this.policy.maxAttempts);
    if (!Number.isInteger(this.maxDeliveries) || this.maxDeliveries < 1) {
      throw new MessagingConfigError('maxDeliveries must be a positive integer');
    }
    const ordering = options.ordering ?? false;
    this.ordering = ordering !== false;
    const o = typeof ordering === 'object' ? ordering : {};
    this.parkTimeoutMs = o.parkTimeoutMs ?? 30_000;
    this.sweepIntervalMs = o.sweepIntervalMs ?? 1000;
    if (!(this.parkTimeoutMs >= 0) || !(this.sweepIntervalMs > 0)) {
      throw new MessagingConfigError('parkTimeoutMs must be >= 0 and sweepIntervalMs > 0');
    }
    this.traceMode = options.traceMode ?? 'child';
    this.onDeadLetter = options.onDeadLetter;
    this.onError = options.onError ?? ((e) => console.warn(`[faultline] consumer ${this.name}: ${e.message}`));
    this.clock = options.clock ?? Date.now;
    if (this.ordering) this.scheduleSweep();
  }

  ensureSchema(): Promise<void> {
    return this.inbox.ensureSchema();
  }

  /** Whether per-key ordering is on: transports must then deliver every event type of a key. */
  get ordered(): boolean {
    return this.ordering;
  }

  /**
   * Validates and applies one delivery. Malformed input is dead-lettered
   * (never thrown). Throws only when the database itself fails: the
   * transport should then redeliver later.
   */
  async handle(raw: string | Uint8Array | object, delivery: DeliveryInfo = {}): Promise<ConsumeOutcome> {
    let envelope: EventEnvelope;
    try {
      envelope = parseEnvelope(raw);
    } catch (e) {
      if (!isEnvelopeValidationError(e)) throw e;
      return this.deadLetterMalformed(raw, e.message, delivery);
    }
    if (delivery.system !== undefined) this.lastSystem = delivery.system;
    const span = this.startSpan(envelope, delivery);
    let outcome: ConsumeOutcome;
    try {
      outcome = delivery.deliveryCount !== undefined && delivery.deliveryCount > this.maxDeliveries
        ? await this.giveUp(envelope, delivery.deliveryCount)
        : await this.receive(envelope, span);
    } catch (e) {
      endSpan(span, 'error', e);
      throw e;
    }
    endSpan(span, outcome.kind, outcome.kind === 'retry' ? outcome.error : undefined);
    if (outcome.kind === 'dead-lettered') this.onDeadLetter?.({ consumer: this.name, eventId: envelope.id, type: envelope.type, reason: outcome.reason });
    if ((outcome.kind === 'processed' || outcome.kind === 'ignored' || outcome.kind === 'dead-lettered') && isOrdered(envelope, this.ordering)) {
      await this.drainKey(envelope.source, envelope.key, delivery);
    }
    return outcome;
  }

  /**
   * Re-examines parked events: keys blocked longer than `parkTimeoutMs` skip
   * their gap, and parked events whose handler failed are retried. Runs on a
   * timer when ordering is on; call it directly in tests.
   */
  async sweep(): Promise<void> {
    if (!this.ordering) return;
    const c = this.stepContext();
    const groups = await this.inbox.transact(() => parkedGroupsSteps(c, SWEEP_GROUPS_MAX), noInvoke);
    for (const g of groups) {
      if (c.nowMs - g.oldestParkedAtMs >= this.parkTimeoutMs) {
        await this.inbox.transact(() => skipGapSteps(this.stepContext(), g), noInvoke);
      }
      await this.drainKey(g.source, g.key, {});
    }
  }

  /** Oldest dead letters of this consumer, for operators and tests. */
  deadLetters(limit = 100): Promise<DeadLetterRow[]> {
    return this.inbox.transact(() => deadLettersSteps(this.stepContext(), limit), noInvoke);
  }

  /** Forgets processed event ids older than `beforeMs`: keep this well beyond any redelivery window. */
  pruneInbox(beforeMs: number): Promise<number> {
    return this.inbox.transact(() => pruneInboxSteps(this.stepContext(), beforeMs), noInvoke);
  }

  /** Stops the sweep timer and waits for a sweep in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.sweeping;
  }

  private scheduleSweep(): void {
    if (this.closed) return;
    this.sweepTimer = setTimeout(() => {
      this.sweeping = this.sweep()
        .then(() => {
          this.sweepFailing = false;
        })
        .catch((e) => {
          // Once per failure streak: a closed database must not flood the log every second.
          if (!this.sweepFailing) this.onError(toError(e));
          this.sweepFailing = true;
        })
        .finally(() => {
          this.sweeping = undefined;
          this.scheduleSweep();
        });
    }, this.sweepIntervalMs);
    // A consumer alone must not keep the process alive.
    this.sweepTimer.unref();
  }

  private stepContext(): StepContext {
    return { t: this.inbox.tables, dialect: this.inbox.dialect, consumer: this.name, nowMs: this.clock() };
  }

  private startSpan(envelope: EventEnvelope, delivery: DeliveryInfo): Span {
    const opts: Parameters<typeof startConsumerSpan>[1] = {
      system: delivery.system ?? this.lastSystem ?? 'unknown',
      destination: delivery.destination ?? envelope.type,
      consumerName: this.name,
      mode: this.traceMode,
    };
    if (delivery.deliveryCount !== undefined) opts.deliveryCount = delivery.deliveryCount;
    return startConsumerSpan(envelope, opts);
  }

  private invoker(span: Span) {
    return (tx: Tx, event: EventEnvelope, late: boolean): unknown => {
      const handler = this.handlers[event.type];
      if (!handler) return undefined;
      const correlationId = event.correlationId ?? event.id;
      const ctx: HandlerContext<Tx> = { tx, correlationId, late, span };
      const wrapFailure = (e: unknown) => {
        throw new HandlerFailure(toError(e));
      };
      try {
        const result = context.with(trace.setSpan(context.active(), span), () =>
          runWithContext({ correlationId }, () => handler(event, ctx)));
        if (typeof result === 'object' && result !== null && typeof (result as Promise<unknown>).then === 'function') {
          return (result as Promise<unknown>).catch(wrapFailure);
        }
        return result;
      } catch (e) {
        if (e instanceof MessagingConfigError) throw e;
        return wrapFailure(e);
      }
    };
  }

  private async receive(envelope: EventEnvelope, span: Span): Promise<ConsumeOutcome> {
    const hasHandler = this.handlers[envelope.type] !== undefined;
    try {
      return await this.inbox.transact(() => receiveSteps(this.stepContext(), envelope, this.ordering, hasHandler), this.invoker(span));
    } catch (e) {
      if (!(e instanceof HandlerFailure)) throw e;
      return this.inbox.transact(() => failureSteps(this.stepContext(), envelope, e.original, this.policy, this.ordering, false), noInvoke);
    }
  }

  private giveUp(envelope: EventEnvelope, deliveries: number): Promise<ConsumeOutcome> {
    const reason = `delivered ${deliveries} times without an outcome (handler crashed the process or outlived the ack wait?)`;
    return this.inbox.transact(
      () => failureSteps(this.stepContext(), envelope, new Error(reason), this.policy, this.ordering, false, reason),
      noInvoke,
    );
  }

  /** Applies parked successors of a key while the next one is present. */
  private async drainKey(source: string, key: string, delivery: DeliveryInfo): Promise<void> {
    for (let i = 0; i < DRAIN_MAX_PER_KEY; i++) {
      const head = await this.inbox.transact(() => nextParkedSteps(this.stepContext(), source, key), noInvoke);
      if (!head || !isOrdered(head.envelope, true)) return;
      const e = head.envelope;
      const span = this.startSpan(e, { ...delivery, deliveryCount: undefined });
      const hasHandler = this.handlers[e.type] !== undefined;
      let outcome: ConsumeOutcome | undefined;
      try {
        outcome = await this.inbox.transact(() => applyParkedSteps(this.stepContext(), e, hasHandler), this.invoker(span));
      } catch (err) {
        if (!(err instanceof HandlerFailure)) {
          endSpan(span, 'error', err);
          throw err;
        }
        outcome = await this.inbox.transact(() => failureSteps(this.stepContext(), e, err.original, this.policy, true, true), noInvoke);
      }
      endSpan(span, outcome?.kind ?? 'skipped', outcome?.kind === 'retry' ? outcome.error : undefined);
      if (outcome?.kind === 'dead-lettered') this.onDeadLetter?.({ consumer: this.name, eventId: e.id, type: e.type, reason: outcome.reason });
      // A retry waits for the next sweep; anything else unexpected means another drain took over.
      if (!outcome || outcome.kind === 'retry' || outcome.kind === 'duplicate') return;
    }
  }

  private async deadLetterMalformed(raw: string | Uint8Array | object, reason: string, delivery: DeliveryInfo): Promise<ConsumeOutcome> {
    const eventId = peekField(raw, 'id');
    const type = peekField(raw, 'type');
    const span = startConsumerSpan(undefined, {
      system: delivery.system ?? 'unknown',
      destination: delivery.destination ?? 'unknown',
      consumerName: this.name,
      mode: 'link',
    });
    try {
      await this.inbox.transact(() => malformedSteps(this.stepContext(), eventId, type, reason, rawText(raw)), noInvoke);
    } catch (e) {
      endSpan(span, 'error', e);
      throw e;
    }
    endSpan(span, 'dead-lettered', new Error(reason));
    const dl: { consumer: string; reason: string; eventId?: string; type?: string } = { consumer: this.name, reason };
    if (eventId !== undefined) dl.eventId = eventId;
    if (type !== undefined) dl.type = type;
    this.onDeadLetter?.(dl);
    return eventId === undefined
      ? { kind: 'dead-lettered', reason, malformed: true }
      : { kind: 'dead-lettered', eventId, reason, malformed: true };
  }
}

function noInvoke(): unknown {
  return undefined;
}
