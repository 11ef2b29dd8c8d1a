import type { Db } from '../db.js';
import { markAttempt, markPublished, pendingOutbox } from './outbox.js';
import type { EventTransport } from './transport.js';

export interface RelayOptions {
  /** Poll interval while the outbox is empty, ms. Default 100. */
  intervalMs?: number;
  /** Events per round. Default 100. */
  batchSize?: number;
  /** Longest pause after failed deliveries, ms. Default 2000. */
  maxBackoffMs?: number;
}

/**
 * Moves committed outbox rows to the transport, in commit order, and marks
 * them published. Delivery is at least once: a crash between publish and
 * mark re-sends, and consumers dedupe by event id.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private running: Promise<void> = Promise.resolve();
  published = 0;

  constructor(
    private readonly db: Db,
    private readonly transport: EventTransport,
    private readonly options: RelayOptions = {},
  ) {}

  start(): void {
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().then((delay) => this.schedule(delay));
    }, delayMs);
  }

  private async round(): Promise<number> {
    const interval = this.options.intervalMs ?? 100;
    const batch = pendingOutbox(this.db, this.options.batchSize ?? 100);
    for (const { seq, event } of batch) {
      if (this.stopped) return interval;
      try {
        await this.transport.publish(event);
        markPublished(this.db, seq);
        this.published += 1;
        this.failures = 0;
      } catch {
        markAttempt(this.db, seq);
        this.failures += 1;
        return Math.min(this.options.maxBackoffMs ?? 2000, interval * 2 ** Math.min(this.failures, 10));
      }
    }
    return batch.length === (this.options.batchSize ?? 100) ? 0 : interval;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.transport.close();
  }
}
