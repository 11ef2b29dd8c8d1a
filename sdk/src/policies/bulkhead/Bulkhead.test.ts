import { describe, expect, it } from 'vitest';
import { Bulkhead } from './Bulkhead.js';

describe('Bulkhead', () => {
  it('grants maxConcurrent slots, queues up to maxQueue, refuses beyond', async () => {
    const b = new Bulkhead({ maxConcurrent: 2, maxQueue: 1 });
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    const waiting = b.enqueue(new AbortController().signal);
    expect(waiting).toBeInstanceOf(Promise);
    expect(b.enqueue(new AbortController().signal)).toBeUndefined();
    expect(b.rejected).toBe(1);
    b.release();
    expect(await waiting).toBe(true);
    expect(b.inFlight).toBe(2); // the slot passed straight to the waiter
    b.release();
    b.release();
    expect(b.inFlight).toBe(0);
  });

  it('drops a waiter whose signal aborts, freeing its queue place at once', async () => {
    const b = new Bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    b.tryAcquire();
    const controller = new AbortController();
    const waiting = b.enqueue(controller.signal)!;
    controller.abort();
    expect(await waiting).toBe(false);
    expect(b.queued).toBe(0);
    expect(b.enqueue(new AbortController().signal)).toBeInstanceOf(Promise);
  });
});
