import { context, trace } from '@opentelemetry/api';
import type { EventEnvelope } from '../envelope.js';
import { MessagingConfigError } from '../errors.js';
import type { OutboxLag, OutboxStore } from '../outbox/OutboxStore.js';
import { endSpan, startProducerSpan, traceFields } from '../telemetry.js';
import type { PublishResult, Transport } from '../transport/Transport.js';

export interface OutboxRelayOptions {
  outbox: OutboxStore;
  transport: Transport;
  /** Rows read and published per round. Default 100, at most 1000. */
  batchSize?: number;
  /** Wait between rounds when the outbox is empty. Default 200 ms; call `wake()` to skip it. */
  pollIntervalMs?: number;
  /** First delay after a broker failure; doubles per consecutive failure. Default 100 ms. */
  retryInitialDelayMs?: number;
  /** Cap of the failure delay. Default 10 000 ms. */
  retryMaxDelayMs?: number;
  /** Sent rows are deleted once older than this. Default 24 h; 0 keeps them. */
  sentRetentionMs?: number;
  /** Background failures (broker down, database error), reported once per streak. Default: console.warn. */
  onError?: (error: Error) => void;
  /**
   * Track progress under this name instead of marking rows sent, so several
   * relays (one per HTTP subscriber) each deliver every event and a subscriber
   * that is down holds back only itself. SQLite outboxes only. Default: none.
   */
  cursor?: string;
  /** Injected for tests. Default Date.now. */
  clock?: () => number;
}

interface ResolvedOptions {
  batchSize: number;
  pollIntervalMs: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  sentRetentionMs: number;
  onError: (error: Error) => void;
  clock: () => number;
}

const BATCH_SIZE_MAX = 1000;
const PRUNE_EVERY_MS = 60_000;

function resolveOptions(o: OutboxRelayOptions): ResolvedOptions {
  const r: ResolvedOptions = {
    batchSize: o.batchSize ?? 100,
    pollIntervalMs: o.pollIntervalMs ?? 200,
    retryInitialDelayMs: o.retryInitialDelayMs ?? 100,
    retryMaxDelayMs: o.retryMaxDelayMs ?? 10_000,
    sentRetentionMs: o.sentRetentionMs ?? 24 * 60 * 60 * 1000,
    onError: o.onError ?? ((e) => console.warn(`[faultline] outbox relay: ${e.message}`)),
    clock: o.clock ?? Date.now,
  };
  if (!Number.isInteger(r.batchSize) || r.batchSize < 1 || r.batchSize > BATCH_SIZE_MAX) {
    throw new MessagingConfigError(`batchSize must be an integer in 1..${BATCH_SIZE_MAX}`);
  }
  for (const k of ['pollIntervalMs', 'retryInitialDelayMs', 'retryMaxDelayMs', 'sentRetentionMs'] as const) {
    if (!Number.isFinite(r[k]) || r[k] < 0) throw new MessagingConfigError(`${k} must be a non-negative number`);
  }
  return r;
}

export interface RelayStats {
  readonly published: number;
  readonly failures: number;
  readonly consecutiveFailures: number;
  readonly running: boolean;
}

/**
 * Moves outbox rows to the transport in row order, at least once: a row is
 * marked sent only after the broker acknowledged it, so a crash in between
 * republishes it (the broker's dedupe window and the consumers' inbox absorb
 * the copy). One relay per outbox table.
 * @example
 * const relay = new OutboxRelay({ outbox, transport: createNatsTransport({ servers, stream: 'shop' }) });
 * relay.start();
 * // ... after each committed write: relay.wake();
 * await relay.stop();
 */
export class OutboxRelay {
  private readonly options: ResolvedOptions;
  private readonly outbox: OutboxStore;
  private readonly transport: Transport;
  private readonly cursor: string | undefined;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private wakeRequested = false;
  private sleeping: 'idle' | 'backoff' | undefined;
  private published = 0;
  private failures = 0;
  private consecutiveFailures = 0;
  private lastPruneMs = 0;

  constructor(options: OutboxRelayOptions) {
    this.options = resolveOptions(options);
    this.outbox = options.outbox;
    this.transport = options.transport;
    if (options.cursor !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(options.cursor)) {
      throw new MessagingConfigError('cursor must be 1-128 chars of [A-Za-z0-9._:-]');
    }
    this.cursor = options.cursor;
  }

  /** Starts the background loop; idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the round in flight; no timer is left behind. Does not close the transport. */
  async stop(): Promise<void> {
    this.running = false;
    this.interrupt();
    await this.loop;
    this.loop = undefined;
  }

  /**
   * Publish now instead of at the next poll (call it after a commit). Does
   * not cut a failure backoff short: commits during an outage must not turn
   * into a retry per commit.
   */
  wake(): void {
    if (this.sleeping === 'idle') this.interrupt();
    else if (this.sleeping === undefined) this.wakeRequested = true; // mid-round: skip the next idle wait
  }

  private interrupt(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  lag(): Promise<OutboxLag> {
    return this.outbox.lag(this.options.clock(), this.cursor);
  }

  stats(): RelayStats {
    return { published: this.published, failures: this.failures, consecutiveFailures: this.consecutiveFailures, running: this.running };
  }

  /**
   * One round: publish up to `batchSize` pending rows. Returns how many were
   * published and whether the broker failed. Used by the loop; handy in tests.
   */
  async drainOnce(limit: number = this.options.batchSize): Promise<{ published: number; failed: boolean; error?: Error }> {
    const rows = await this.outbox.fetchPending(Math.min(limit, this.options.batchSize), this.cursor);
    if (rows.length === 0) return { published: 0, failed: false };
    const spans = rows.map((r) => startProducerSpan(r.envelope, this.transport.system, this.transport.destinationOf(r.envelope)));
    // On the wire the envelope carries the PRODUCER span as parent, so the
    // consumer's span hangs under the real send, not under the outbox write.
    const outgoing: EventEnvelope[] = rows.map((r, i) => ({
      ...r.envelope,
      ...traceFields(trace.setSpan(context.active(), spans[i]!)),
    }));
    let result: PublishResult;
    try {
      result = await this.transport.publish(outgoing);
    } catch (e) {
      // Transports should report, not throw; a custom one that throws still ends its spans.
      result = { published: 0, error: e instanceof Error ? e : new Error(String(e)) };
    }
    const okIds = rows.slice(0, result.published).map((r) => r.rowId);
    spans.forEach((span, i) => {
      if (i < result.published) endSpan(span, 'published');
      else if (i === result.published) endSpan(span, 'failed', result.error ?? new Error('not acknowledged'));
      else endSpan(span, 'unacknowledged'); // maybe stored by the broker; republished later either way
    });
    await this.outbox.markSent(okIds, this.options.clock(), this.cursor);
    this.published += okIds.length;
    if (result.published < rows.length) {
      const err = result.error ?? new Error('transport did not acknowledge the whole batch');
      if (this.cursor === undefined) await this.outbox.recordFailure(rows[result.published]!.rowId, err.message).catch(() => undefined);
      return { published: okIds.length, failed: true, error: err };
    }
    return { published: okIds.length, failed: false };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let waitMs: number;
      try {
        // While the broker is failing, probe with the head row only: a
        // recovering broker is not hit with full batches, and an outage does
        // not produce a batch of failed PRODUCER spans per retry.
        const { published, failed, error } = await this.drainOnce(this.consecutiveFailures > 0 ? 1 : this.options.batchSize);
        if (failed) {
          waitMs = this.noteFailure(error ?? new Error('broker did not acknowledge'));
        } else {
          const probing = this.consecutiveFailures > 0;
          this.consecutiveFailures = 0;
          // A full batch (or a successful probe) means more may be waiting: go again at once.
          waitMs = probing || published >= this.options.batchSize ? 0 : this.options.pollIntervalMs;
        }
        await this.maybePrune();
      } catch (e) {
        waitMs = this.noteFailure(e instanceof Error ? e : new Error(String(e)));
      }
      if (this.running && waitMs > 0) await this.sleep(waitMs, this.consecutiveFailures > 0 ? 'backoff' : 'idle');
    }
  }

  private noteFailure(error: Error): number {
    this.failures++;
    this.consecutiveFailures++;
    if (this.consecutiveFailures === 1) this.options.onError(error);
    const exp = this.options.retryInitialDelayMs * 2 ** Math.min(this.consecutiveFailures - 1, 20);
    const capped = Math.min(this.options.retryMaxDelayMs, exp);
    // Jitter keeps many relays from hammering a recovering broker in step.
    return capped / 2 + Math.random() * (capped / 2);
  }

  private async maybePrune(): Promise<void> {
    if (this.options.sentRetentionMs === 0) return;
    const now = this.options.clock();
    if (now - this.lastPruneMs < PRUNE_EVERY_MS) return;
    this.lastPruneMs = now;
    await this.outbox.pruneSent(now - this.options.sentRetentionMs);
  }

  private sleep(ms: number, kind: 'idle' | 'backoff'): Promise<void> {
    if (kind === 'idle' && this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    this.wakeRequested = false;
    this.sleeping = kind;
    return new Promise((resolve) => {
      const done = () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        this.wakeUp = undefined;
        this.sleeping = undefined;
        resolve();
      };
      this.timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
