import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessagingConfigError } from '../errors.js';
import { FlakyTransport } from '../testing/FlakyTransport.js';
import { ordersDb, placeOrder } from '../testing/shop.js';
import { OutboxRelay } from './OutboxRelay.js';

const relays: OutboxRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
  vi.useRealTimers();
});

function relayFor(opts: Partial<ConstructorParameters<typeof OutboxRelay>[0]> & Pick<ConstructorParameters<typeof OutboxRelay>[0], 'outbox' | 'transport'>) {
  const r = new OutboxRelay({ pollIntervalMs: 10, retryInitialDelayMs: 5, retryMaxDelayMs: 20, onError: () => undefined, ...opts });
  relays.push(r);
  return r;
}

describe('OutboxRelay', () => {
  it('publishes pending rows in order in bounded batches and marks them sent', async () => {
    const { db, outbox } = ordersDb();
    const transport = new FlakyTransport();
    for (let i = 0; i < 25; i++) placeOrder(db, outbox, `o-${i}`, i);
    const relay = relayFor({ outbox, transport, batchSize: 10 });
    expect(await relay.drainOnce()).toEqual({ published: 10, failed: false });
    expect(await relay.drainOnce()).toEqual({ published: 10, failed: false });
    expect(await relay.drainOnce()).toEqual({ published: 5, failed: false });
    expect(await relay.drainOnce()).toEqual({ published: 0, failed: false });
    expect(transport.received.map((e) => e.key)).toEqual(Array.from({ length: 25 }, (_, i) => `o-${i}`));
    expect(await relay.lag()).toEqual({ pending: 0, oldestAgeMs: 0 });
  });

  it('while the broker is down events accumulate, lag grows, then they drain in order with nothing lost', async () => {
    const { db, outbox } = ordersDb();
    const transport = new FlakyTransport();
    const errors: Error[] = [];
    transport.down = true;
    const relay = relayFor({ outbox, transport, batchSize: 7, onError: (e) => errors.push(e) });
    relay.start();
    for (let i = 0; i < 30; i++) placeOrder(db, outbox, `o-${i}`, i);
    await vi.waitFor(() => expect(relay.stats().consecutiveFailures).toBeGreaterThanOrEqual(3));
    expect((await relay.lag()).pending).toBe(30);
    expect(errors.map((e) => e.message)).toEqual(['broker down']);
    transport.down = false;
    await vi.waitFor(async () => expect((await relay.lag()).pending).toBe(0));
    expect(transport.received.map((e) => e.key)).toEqual(Array.from({ length: 30 }, (_, i) => `o-${i}`));
    expect(relay.stats()).toMatchObject({ published: 30, consecutiveFailures: 0 });
  });

  it('marks only the acknowledged prefix of a batch, so a failure never reorders', async () => {
    const { db, outbox } = ordersDb();
    const transport = new FlakyTransport();
    for (let i = 0; i < 6; i++) placeOrder(db, outbox, `o-${i}`, i);
    transport.failAfter = 2;
    const relay = relayFor({ outbox, transport });
    expect(await relay.drainOnce()).toMatchObject({ published: 2, failed: true });
    expect(await relay.drainOnce()).toMatchObject({ published: 4, failed: false });
    expect(transport.received.map((e) => e.key)).toEqual(['o-0', 'o-1', 'o-2', 'o-3', 'o-4', 'o-5']);
  });

  it('backs off exponentially up to the cap while the broker fails', async () => {
    vi.useFakeTimers();
    const { db, outbox } = ordersDb();
    const transport = new FlakyTransport();
    transport.down = true;
    placeOrder(db, outbox, 'o-1', 1);
    const relay = relayFor({ outbox, transport, retryInitialDelayMs: 1000, retryMaxDelayMs: 4000 });
    vi.spyOn(Math, 'random').mockReturnValue(1); // upper end of the jitter band: delays are exactly 1 s, 2 s, 4 s, 4 s
    relay.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.publishCalls).toBe(1);
    const callsAt = (ms: number) => vi.advanceTimersByTimeAsync(ms).then(() => transport.publishCalls);
    expect(await callsAt(999)).toBe(1);
    expect(await callsAt(1)).toBe(2);
    expect(await callsAt(1999)).toBe(2);
    expect(await callsAt(1)).toBe(3);
    expect(await callsAt(4000)).toBe(4);
    expect(await callsAt(4000)).toBe(5);
    await relay.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('probes with one event while the broker fails, then goes back to full batches', async () => {
    const { db, outbox } = ordersDb();
    const transport = new FlakyTransport();
    const batchSizes: number[] = [];
    const publish = transport.publish.bind(transport);
    transport.publish = (events) => {
      batchSizes.push(events.length);
      return publish(events);
    };
    for (let i = 0; i < 30; i++) placeOrder(db, outbox, `o-${i}`, i);
    transport.down = true;
    const relay = relayFor({ outbox, transport, batchSize: 10 });
    relay.start();
    await vi.waitFor(() => expect(batchSizes.length).toBeGreaterThanOrEqual(3));
    transport.down = false;
    await vi.waitFor(async () => expect((await relay.lag()).pending).toBe(0));
    await relay.stop();
    const firstOk = batchSizes.length - 4; // the probe that succeeded, then 10, 10, 9
    expect(batchSizes.slice(0, firstOk + 1)).toEqual([10, ...Array(firstOk).fill(1)]);
    expect(batchSizes.slice(firstOk + 1)).toEqual([10, 10, 9]);
    expect(transport.received.map((e) => e.key)).toEqual(Array.from({ length: 30 }, (_, i) => `o-${i}`));
  });

  it('stop() leaves no timer behind and start/stop can repeat', async () => {
    vi.useFakeTimers();
    const { outbox } = ordersDb();
    const relay = relayFor({ outbox, transport: new FlakyTransport(), pollIntervalMs: 60_000 });
    relay.start();
    relay.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    await relay.stop();
    expect(vi.getTimerCount()).toBe(0);
    relay.start();
    await vi.advanceTimersByTimeAsync(0);
    await relay.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('wake() publishes right after a commit instead of waiting for the poll interval', async () => {
    const { db, outbox } = ordersDb();
    const transport = new FlakyTransport();
    const relay = relayFor({ outbox, transport, pollIntervalMs: 60_000 });
    relay.start();
    await vi.waitFor(() => expect(transport.publishCalls).toBe(0));
    await new Promise((r) => setTimeout(r, 20));
    placeOrder(db, outbox, 'o-1', 1);
    relay.wake();
    await vi.waitFor(() => expect(transport.received).toHaveLength(1), { timeout: 1000 });
  });

  it('with cursors, one relay per subscriber: a subscriber that is down holds back only itself', async () => {
    const { db, outbox } = ordersDb();
    const payments = new FlakyTransport();
    const notifications = new FlakyTransport();
    notifications.down = true;
    const toPayments = relayFor({ outbox, transport: payments, cursor: 'payments' });
    const toNotifications = relayFor({ outbox, transport: notifications, cursor: 'notifications' });
    toPayments.start();
    toNotifications.start();
    for (let i = 0; i < 12; i++) placeOrder(db, outbox, `o-${i}`, i);
    await vi.waitFor(() => expect(payments.received).toHaveLength(12));
    expect(await toPayments.lag()).toEqual({ pending: 0, oldestAgeMs: 0 });
    expect((await toNotifications.lag()).pending).toBe(12);
    // Nothing is pruned while a cursor still needs it.
    expect(await outbox.pruneSent(Date.now() + 1000)).toBe(0);
    notifications.down = false;
    await vi.waitFor(() => expect(notifications.received).toHaveLength(12));
    const keys = Array.from({ length: 12 }, (_, i) => `o-${i}`);
    expect(payments.received.map((e) => e.key)).toEqual(keys);
    expect(notifications.received.map((e) => e.key)).toEqual(keys);
    await vi.waitFor(async () => expect((await toNotifications.lag()).pending).toBe(0));
    expect(await outbox.pruneSent(Date.now() + 1000)).toBe(12);
  });

  it('a transport that throws (against the contract) counts as a failed round, not a crash', async () => {
    const { db, outbox } = ordersDb();
    placeOrder(db, outbox, 'o-1', 1);
    const transport = new FlakyTransport();
    transport.publish = async () => {
      throw new Error('socket hang up');
    };
    const relay = relayFor({ outbox, transport });
    expect(await relay.drainOnce()).toMatchObject({ published: 0, failed: true, error: new Error('socket hang up') });
    expect((await relay.lag()).pending).toBe(1);
  });

  it('wake() does not cut a failure backoff short (commits during an outage are not retries)', async () => {
    vi.useFakeTimers();
    const { db, outbox } = ordersDb();
    const transport = new FlakyTransport();
    transport.down = true;
    placeOrder(db, outbox, 'o-1', 1);
    const relay = relayFor({ outbox, transport, retryInitialDelayMs: 1000, retryMaxDelayMs: 1000 });
    vi.spyOn(Math, 'random').mockReturnValue(1);
    relay.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.publishCalls).toBe(1);
    for (let i = 0; i < 5; i++) relay.wake();
    await vi.advanceTimersByTimeAsync(500);
    expect(transport.publishCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(transport.publishCalls).toBe(2);
    await relay.stop();
  });

  it('a wake() during a round is not lost: the next idle wait is skipped', async () => {
    vi.useFakeTimers();
    const { db, outbox } = ordersDb();
    const transport = new FlakyTransport();
    const relay = relayFor({ outbox, transport, pollIntervalMs: 60_000 });
    const publish = transport.publish.bind(transport);
    let committedDuringRound = false;
    transport.publish = async (events) => {
      if (!committedDuringRound) {
        committedDuringRound = true;
        placeOrder(db, outbox, 'o-2', 2);
        relay.wake();
      }
      return publish(events);
    };
    placeOrder(db, outbox, 'o-1', 1);
    relay.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.received.map((e) => e.key)).toEqual(['o-1', 'o-2']);
    await relay.stop();
  });

  it('rejects unusable options', () => {
    const { outbox } = ordersDb();
    expect(() => new OutboxRelay({ outbox, transport: new FlakyTransport(), batchSize: 0 })).toThrow(MessagingConfigError);
    expect(() => new OutboxRelay({ outbox, transport: new FlakyTransport(), batchSize: 5000 })).toThrow(/1\.\.1000/);
    expect(() => new OutboxRelay({ outbox, transport: new FlakyTransport(), pollIntervalMs: -1 })).toThrow(/pollIntervalMs/);
    expect(() => new OutboxRelay({ outbox, transport: new FlakyTransport(), cursor: 'a b' })).toThrow(/cursor/);
  });
});
