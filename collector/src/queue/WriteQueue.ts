// Bounded write queue between ingest and the store. Requests are never split: a batch is
// one or more whole requests, and each request's promise settles when its batch commits
// (or fails). When the queue holds `queueSpansMax` spans, enqueue refuses instead of
// growing memory, and the caller answers 429 with a Retry-After estimated from throughput.
import type { SpanRecord } from '../model.js';
import type { TraceStore } from '../store/index.js';

export interface WriteQueueOptions {
  queueSpansMax: number;
  batchSpansMax: number;
  /**
   * Batches written at once (default 1). More than one only for stores whose concurrent
   * transactions are safe (PostgreSQL: the same guarantees as several collectors sharing it),
   * so that one batch's client-side work overlaps another's time in the database.
   */
  concurrentBatches?: number;
  /** Called after each committed batch (drives live updates, metrics, alerts and transaction state). */
  onCommit?: (spans: number, records: readonly SpanRecord[], seconds: number) => void;
  /** Called once per failure streak with the store error. */
  onError?: (error: unknown) => void;
}

interface Entry {
  spans: readonly SpanRecord[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Under sustained overload the drain estimate says "1 s" while the queue refills at once, and
 * an exporter that obeys it spends its few attempts (the OTel exporters make 6) inside the
 * overload. So the hint also grows with how long the queue has stayed over half full, up to
 * this many seconds: below the OTel exporters' default 10 s export timeout, so they still retry.
 */
export const SATURATED_RETRY_AFTER_MAX_S = 5;

export type Enqueued = { accepted: true; committed: Promise<void> } | { accepted: false; retryAfterS: number };

export class WriteQueue {
  private readonly entries: Entry[] = [];
  private queuedSpans = 0;
  private running = 0;
  private closed = false;
  private failing = false;
  private spansPerSecond = 10_000;
  /** When the queue last went over half full and has stayed there; null when it is not. */
  private saturatedSinceMs: number | null = null;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;

  constructor(
    private readonly store: TraceStore,
    private readonly options: WriteQueueOptions,
  ) {}

  get depthSpans(): number {
    return this.queuedSpans;
  }

  enqueue(spans: readonly SpanRecord[]): Enqueued {
    if (this.closed) return { accepted: false, retryAfterS: 5 };
    if (spans.length === 0) return { accepted: true, committed: Promise.resolve() };
    if (this.queuedSpans > 0 && this.queuedSpans + spans.length > this.options.queueSpansMax) {
      return { accepted: false, retryAfterS: this.retryAfterS() };
    }
    const committed = new Promise<void>((resolve, reject) => this.entries.push({ spans, resolve, reject }));
    this.queuedSpans += spans.length;
    if (this.saturatedSinceMs === null && this.queuedSpans * 2 > this.options.queueSpansMax) this.saturatedSinceMs = Date.now();
    this.start();
    return { accepted: true, committed };
  }

  /** Seconds a refused sender should wait: the time to drain the queue, or longer while it stays saturated (1–30). */
  retryAfterS(nowMs = Date.now()): number {
    const drainS = Math.ceil(this.queuedSpans / Math.max(1, this.spansPerSecond));
    const saturatedS = this.saturatedSinceMs === null ? 0 : Math.min(SATURATED_RETRY_AFTER_MAX_S, Math.ceil((nowMs - this.saturatedSinceMs) / 1000));
    return Math.min(30, Math.max(1, drainS, saturatedS));
  }

  private start(): void {
    const max = Math.max(1, this.options.concurrentBatches ?? 1);
    if (this.running === 0) this.idle = new Promise((r) => (this.markIdle = r));
    // A further writer only when there is a whole batch waiting beyond what the running ones take.
    while (this.running < max && (this.running === 0 || this.entries.length > 1)) {
      this.running++;
      void this.drain();
    }
  }

  private async drain(): Promise<void> {
    while (this.entries.length) {
      const batch: Entry[] = [];
      let count = 0;
      while (this.entries.length && (batch.length === 0 || count + this.entries[0]!.spans.length <= this.options.batchSpansMax)) {
        const e = this.entries.shift()!;
        batch.push(e);
        count += e.spans.length;
      }
      const spans = batch.length === 1 ? batch[0]!.spans : batch.flatMap((e) => e.spans);
      const started = performance.now();
      try {
        await this.store.insertSpans(spans);
        const elapsedS = (performance.now() - started) / 1000;
        const seconds = Math.max(0.001, elapsedS);
        this.spansPerSecond = 0.7 * this.spansPerSecond + 0.3 * (count / seconds);
        this.failing = false;
        for (const e of batch) e.resolve();
        this.options.onCommit?.(count, spans, elapsedS);
      } catch (err) {
        if (!this.failing) this.options.onError?.(err);
        this.failing = true;
        for (const e of batch) e.reject(err);
      } finally {
        this.queuedSpans -= count;
        if (this.queuedSpans * 2 <= this.options.queueSpansMax) this.saturatedSinceMs = null;
      }
    }
    this.running--;
    if (this.running === 0) this.markIdle();
  }

  /** Stops accepting and waits for what is queued to commit. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.running > 0) await this.idle;
  }
}
