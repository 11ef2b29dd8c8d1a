import { afterEach, describe, expect, it } from 'vitest';
import { span } from '../../test/helpers.js';
import type { SpanRecord } from '../model.js';
import { SqliteTraceStore } from '../store/sqlite/SqliteTraceStore.js';
import type { TraceStore } from '../store/TraceStore.js';
import { SATURATED_RETRY_AFTER_MAX_S, WriteQueue } from './WriteQueue.js';

/** A real store whose commits wait for the test to open a gate: a store slower than ingest. */
function gatedStore(): { store: TraceStore; open: () => void; batches: number[] } {
  const real = new SqliteTraceStore({ path: ':memory:' });
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => (release = r));
  const batches: number[] = [];
  const store = Object.create(real) as TraceStore;
  store.insertSpans = async (spans: readonly SpanRecord[]) => {
    await gate;
    batches.push(spans.length);
    return real.insertSpans(spans);
  };
  store.close = () => real.close();
  return {
    store,
    open: () => {
      release();
      gate = Promise.resolve();
    },
    batches,
  };
}

const spans = (n: number) => Array.from({ length: n }, () => span({ service: 'q' }));

describe('WriteQueue', () => {
  let store: TraceStore | undefined;
  afterEach(async () => {
    await store?.close();
  });

  it('refuses with a Retry-After once queueSpansMax spans wait, and accepts again after they commit', async () => {
    const g = gatedStore();
    store = g.store;
    const q = new WriteQueue(g.store, { queueSpansMax: 10, batchSpansMax: 100 });
    const a = q.enqueue(spans(6));
    const b = q.enqueue(spans(4));
    const refused = q.enqueue(spans(1));
    expect(a.accepted && b.accepted).toBe(true);
    expect(refused).toEqual({ accepted: false, retryAfterS: expect.any(Number) });
    if (!refused.accepted) expect(refused.retryAfterS).toBeGreaterThanOrEqual(1);
    expect(q.depthSpans).toBe(10);
    g.open();
    if (a.accepted) await a.committed;
    if (b.accepted) await b.committed;
    expect(q.depthSpans).toBe(0);
    expect(q.enqueue(spans(3)).accepted).toBe(true);
    await q.close();
  });

  it('asks refused senders to wait longer the longer the queue stays saturated, up to SATURATED_RETRY_AFTER_MAX_S, and forgets once it drains', async () => {
    const g = gatedStore();
    store = g.store;
    const q = new WriteQueue(g.store, { queueSpansMax: 10, batchSpansMax: 100 });
    const t0 = Date.now();
    const a = q.enqueue(spans(6)); // over half full from here
    expect(q.retryAfterS(t0 + 3_500)).toBeGreaterThanOrEqual(4);
    expect(q.retryAfterS(t0 + 60_000)).toBe(SATURATED_RETRY_AFTER_MAX_S);
    g.open();
    if (a.accepted) await a.committed;
    expect(q.retryAfterS(t0 + 60_000)).toBe(1);
    await q.close();
  });

  it('batches whole requests up to batchSpansMax per transaction', async () => {
    const g = gatedStore();
    store = g.store;
    const q = new WriteQueue(g.store, { queueSpansMax: 1000, batchSpansMax: 10 });
    const results = [q.enqueue(spans(4)), q.enqueue(spans(4)), q.enqueue(spans(4)), q.enqueue(spans(12))];
    g.open();
    await Promise.all(results.map((r) => (r.accepted ? r.committed : Promise.reject(new Error('refused')))));
    // first batch is the first request alone (already in flight), then 4+4, then the 12 alone (never split)
    expect(g.batches).toEqual([4, 8, 12]);
    await q.close();
  });

  it('with concurrentBatches 2, writes two batches at once and settles each request only when its own batch commits', async () => {
    const real = new SqliteTraceStore({ path: ':memory:' });
    store = real;
    const gates: (() => void)[] = [];
    let inStore = 0;
    let maxInStore = 0;
    const slow = Object.create(real) as TraceStore;
    slow.insertSpans = async (s) => {
      inStore++;
      maxInStore = Math.max(maxInStore, inStore);
      await new Promise<void>((r) => gates.push(r));
      inStore--;
      return real.insertSpans(s);
    };
    const q = new WriteQueue(slow, { queueSpansMax: 100, batchSpansMax: 2, concurrentBatches: 2 });
    const settled: string[] = [];
    const reqs = ['a', 'b', 'c'].map((name) => {
      const r = q.enqueue(spans(2));
      if (r.accepted) void r.committed.then(() => settled.push(name));
      return r;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(maxInStore).toBe(2);
    gates[1]!(); // the second batch commits first: only its request settles
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toEqual(['b']);
    gates[0]!();
    await new Promise((r) => setTimeout(r, 10));
    gates[2]!();
    await Promise.all(reqs.map((r) => (r.accepted ? r.committed : Promise.reject(new Error('refused')))));
    expect(settled.sort()).toEqual(['a', 'b', 'c']);
    expect(maxInStore).toBe(2);
    expect(q.depthSpans).toBe(0);
    await q.close();
  });

  it('rejects the requests of a batch the store failed, and keeps going', async () => {
    const real = new SqliteTraceStore({ path: ':memory:' });
    store = real;
    let failNext = true;
    const flaky = Object.create(real) as TraceStore;
    flaky.insertSpans = async (s) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk I/O error');
      }
      return real.insertSpans(s);
    };
    const errors: unknown[] = [];
    const q = new WriteQueue(flaky, { queueSpansMax: 100, batchSpansMax: 100, onError: (e) => errors.push(e) });
    const failed = q.enqueue(spans(1));
    expect(failed.accepted).toBe(true);
    if (failed.accepted) await expect(failed.committed).rejects.toThrow(/disk I\/O/);
    const ok = q.enqueue(spans(2));
    if (ok.accepted) await ok.committed;
    expect(errors).toHaveLength(1);
    expect(q.depthSpans).toBe(0);
    await q.close();
  });
});
