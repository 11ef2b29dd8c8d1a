import type { BulkheadOptions } from '../options.js';

interface Waiter {
  grant: (acquired: boolean) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * Concurrent-call limit with a bounded queue. Not cockatiel's
 * BulkheadPolicy: that one runs every call through an async wrapper and a
 * closure, and only notices an aborted caller when it reaches the head of
 * the queue. Here taking a free slot is one comparison, and a waiter whose
 * signal aborts leaves the queue at once.
 */
export class Bulkhead {
  private active = 0;
  private readonly queue: Waiter[] = [];
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  rejected = 0;

  constructor(options: Required<BulkheadOptions>) {
    this.maxConcurrent = options.maxConcurrent;
    this.maxQueue = options.maxQueue;
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Takes a slot if one is free. */
  tryAcquire(): boolean {
    if (this.active < this.maxConcurrent) {
      this.active++;
      return true;
    }
    return false;
  }

  /**
   * Waits for a slot: resolves true once it holds one, false when `signal`
   * aborted first. Returns undefined when the queue is full (reject the call).
   */
  enqueue(signal: AbortSignal): Promise<boolean> | undefined {
    if (this.queue.length >= this.maxQueue) {
      this.rejected++;
      return undefined;
    }
    if (signal.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        signal,
        grant: resolve,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i !== -1) this.queue.splice(i, 1);
          resolve(false);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Gives a slot back; the oldest waiter inherits it directly. */
  release(): void {
    const next = this.queue.shift();
    if (next) {
      next.signal.removeEventListener('abort', next.onAbort);
      next.grant(true);
    } else this.active--;
  }
}
