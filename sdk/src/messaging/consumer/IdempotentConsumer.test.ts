import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database as Db } from 'better-sqlite3';
import type { EventEnvelope } from '../envelope.js';
import { changeOrder, ordersDb, placeOrder, projection, projectionDb, projectionHandlers } from '../testing/shop.js';
import { IdempotentConsumer, type DeadLetter } from './IdempotentConsumer.js';
import { SqliteInbox } from './SqliteInbox.js';

const consumers: IdempotentConsumer<Db>[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.close()));
});

async function makeConsumer(db: Db, opts: Partial<ConstructorParameters<typeof IdempotentConsumer<Db>>[0]> = {}) {
  const c = new IdempotentConsumer<Db>({ name: 'projector', inbox: new SqliteInbox(db), handlers: projectionHandlers, ...opts });
  consumers.push(c);
  await c.ensureSchema();
  return c;
}

/** A produced history: orders with several changes each, sequenced by the real outbox. */
async function produce(orderCount: number, changesPerOrder: number): Promise<EventEnvelope[]> {
  const { db, outbox } = ordersDb();
  for (let o = 0; o < orderCount; o++) {
    const id = `order-${o}`;
    placeOrder(db, outbox, id, 1000 + o);
    for (let c = 0; c < changesPerOrder; c++) changeOrder(db, outbox, id, 'OrderChanged', `s${c}`, c + 1);
  }
  const events = (await outbox.fetchPending(1000)).map((r) => r.envelope);
  db.close();
  return events;
}

describe('IdempotentConsumer (better-sqlite3 inbox)', () => {
  it('applies a redelivered event once and acknowledges the copy as duplicate', async () => {
    const db = projectionDb();
    const consumer = await makeConsumer(db);
    const [created] = await produce(1, 0);
    expect(await consumer.handle(JSON.stringify(created))).toMatchObject({ kind: 'processed' });
    expect(await consumer.handle(new TextEncoder().encode(JSON.stringify(created)))).toMatchObject({ kind: 'duplicate' });
    expect(projection(db)).toHaveLength(1);
  });

  it('keeps two consumer names apart: each applies the event once', async () => {
    const db = projectionDb();
    db.exec('CREATE TABLE audit (n INTEGER)');
    const [created] = await produce(1, 0);
    const a = await makeConsumer(db);
    const b = await makeConsumer(db, { name: 'auditor', handlers: { OrderCreated: (_e, { tx }) => { tx.prepare('INSERT INTO audit VALUES (1)').run(); } } });
    await a.handle(created!);
    await b.handle(created!);
    await b.handle(created!);
    expect(projection(db)).toHaveLength(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM audit').get()).toEqual({ n: 1 });
  });

  it('rolls back the handler writes with the failed attempt and dead-letters after maxAttempts', async () => {
    const db = projectionDb();
    const dead: DeadLetter[] = [];
    let calls = 0;
    const consumer = await makeConsumer(db, {
      maxAttempts: 3,
      onDeadLetter: (d) => dead.push(d),
      handlers: {
        OrderCreated: (e, { tx }) => {
          calls++;
          tx.prepare(`INSERT INTO projection (order_id, status, total_cents) VALUES (?, 'x', 0)`).run(e.payload.orderId);
          throw new Error('poison');
        },
      },
    });
    const [created] = await produce(1, 0);
    const first = await consumer.handle(created!);
    expect(first).toMatchObject({ kind: 'retry', attempt: 1, retryInMs: 200 });
    expect(await consumer.handle(created!)).toMatchObject({ kind: 'retry', attempt: 2, retryInMs: 400 });
    expect(await consumer.handle(created!)).toMatchObject({ kind: 'dead-lettered', reason: 'handler failed 3 times: poison' });
    expect(await consumer.handle(created!)).toMatchObject({ kind: 'duplicate' });
    expect(calls).toBe(3);
    expect(projection(db)).toEqual([]);
    expect(dead).toEqual([{ consumer: 'projector', eventId: created!.id, type: 'OrderCreated', reason: 'handler failed 3 times: poison' }]);
    expect((await consumer.deadLetters()).map((d) => d.eventId)).toEqual([created!.id]);
  });

  it('dead-letters an event redelivered more than maxDeliveries times without running it (it may crash the process)', async () => {
    const db = projectionDb();
    let calls = 0;
    const consumer = await makeConsumer(db, { maxDeliveries: 4, handlers: { OrderCreated: () => { calls++; } } });
    const [created] = await produce(1, 0);
    const outcome = await consumer.handle(created!, { deliveryCount: 5 });
    expect(outcome).toMatchObject({ kind: 'dead-lettered', reason: expect.stringContaining('delivered 5 times') });
    expect(calls).toBe(0);
    expect((await consumer.handle(created!, { deliveryCount: 6 })).kind).toBe('duplicate');
    const [applied] = await produce(1, 0);
    expect((await consumer.handle(applied!, { deliveryCount: 4 })).kind).toBe('processed');
  });

  it('dead-letters malformed input with the reason instead of throwing', async () => {
    const db = projectionDb();
    const consumer = await makeConsumer(db);
    const outcomes = [
      await consumer.handle('{not json'),
      await consumer.handle({ id: 'e-1', type: 'OrderCreated' }),
      await consumer.handle(new Uint8Array([0xc3, 0x28])),
    ];
    expect(outcomes.map((o) => o.kind)).toEqual(['dead-lettered', 'dead-lettered', 'dead-lettered']);
    const rows = await consumer.deadLetters();
    expect(rows.map((r) => r.reason)).toEqual([
      'envelope: not valid UTF-8 JSON',
      expect.stringContaining('source: must be a string'),
      'envelope: not valid UTF-8 JSON',
    ]);
    expect(rows[1]!.eventId).toBe('e-1');
  });

  it('a handler can publish through its own outbox in the same transaction (consume-transform-produce)', async () => {
    const { db, outbox } = ordersDb(); // the payments service: its own db, its own outbox
    db.exec('CREATE TABLE charges (order_id TEXT PRIMARY KEY, cents INTEGER)');
    let failFirst = true;
    const consumer = await makeConsumer(db, {
      name: 'payments',
      handlers: {
        OrderCreated: (e, { tx }) => {
          tx.prepare('INSERT INTO charges VALUES (?, ?)').run(e.payload.orderId, e.payload.totalCents);
          outbox.add(tx, { type: 'PaymentCaptured', key: e.payload.orderId, payload: { orderId: e.payload.orderId } });
          if (failFirst) {
            failFirst = false;
            throw new Error('card network timeout');
          }
        },
      },
    });
    const [created] = await produce(1, 0);
    expect((await consumer.handle(created!)).kind).toBe('retry');
    expect(await outbox.fetchPending(10)).toEqual([]);
    expect((await consumer.handle(created!)).kind).toBe('processed');
    expect((await consumer.handle(created!)).kind).toBe('duplicate');
    const pending = await outbox.fetchPending(10);
    expect(pending.map((p) => [p.envelope.type, p.envelope.key, p.envelope.sequence])).toEqual([['PaymentCaptured', 'order-0', 1]]);
    // The event had no correlation id: its own id becomes the chain's, and the follow-up carries it.
    expect(pending[0]!.envelope.correlationId).toBe(created!.id);
    expect(db.prepare('SELECT COUNT(*) AS n FROM charges').get()).toEqual({ n: 1 });
  });

  it('acknowledges types without a handler as ignored, once', async () => {
    const db = projectionDb();
    const consumer = await makeConsumer(db, { handlers: {} });
    const [created] = await produce(1, 0);
    expect((await consumer.handle(created!)).kind).toBe('ignored');
    expect((await consumer.handle(created!)).kind).toBe('duplicate');
  });

  it('refuses async handlers on better-sqlite3 at construction', () => {
    expect(() => new IdempotentConsumer<Db>({
      name: 'x', inbox: new SqliteInbox(projectionDb()), handlers: { OrderCreated: async () => undefined },
    })).toThrow(/must be synchronous/);
  });

  describe('per-key ordering', () => {
    it('parks an event until its predecessor arrives, then applies both in order', async () => {
      const db = projectionDb();
      const consumer = await makeConsumer(db, { ordering: true });
      const [created, changed] = await produce(1, 1);
      expect(await consumer.handle(changed!)).toMatchObject({ kind: 'parked' });
      expect(projection(db)).toEqual([]);
      expect(await consumer.handle(changed!)).toMatchObject({ kind: 'duplicate' });
      expect(await consumer.handle(created!)).toMatchObject({ kind: 'processed' });
      expect(projection(db)).toEqual([{ order_id: 'order-0', status: 's0', total_cents: 1001, history: 'created,s0' }]);
    });

    it('skips a gap after parkTimeoutMs and applies a late predecessor flagged as late', async () => {
      const db = projectionDb();
      let now = 1_000_000;
      const lateFlags: boolean[] = [];
      const consumer = await makeConsumer(db, {
        ordering: { parkTimeoutMs: 5000, sweepIntervalMs: 60_000 },
        clock: () => now,
        handlers: {
          OrderCreated: (e, ctx) => {
            lateFlags.push(ctx.late);
            ctx.tx.prepare(`UPDATE projection SET history = 'created' || history WHERE order_id = ?`).run(e.payload.orderId);
          },
          OrderChanged: (e, ctx) => {
            lateFlags.push(ctx.late);
            ctx.tx.prepare(`INSERT OR IGNORE INTO projection (order_id, status, total_cents) VALUES (?, 'unknown', 0)`).run(e.payload.orderId);
            projectionHandlers.OrderChanged(e, ctx);
          },
        },
      });
      const [created, s0, s1] = await produce(1, 2);
      await consumer.handle(s0!);
      await consumer.handle(s1!);
      now += 4999;
      await consumer.sweep();
      expect(projection(db)).toEqual([]);
      now += 1;
      await consumer.sweep();
      expect(projection(db)).toEqual([{ order_id: 'order-0', status: 's1', total_cents: 3, history: ',s0,s1' }]);
      expect(await consumer.handle(created!)).toMatchObject({ kind: 'processed', late: true });
      expect(lateFlags).toEqual([false, false, true]);
      expect(projection(db)).toEqual([{ order_id: 'order-0', status: 's1', total_cents: 3, history: 'created,s0,s1' }]);
    });

    it('moves past a dead-lettered event so its successors are not stuck', async () => {
      const db = projectionDb();
      const consumer = await makeConsumer(db, {
        ordering: true,
        maxAttempts: 1,
        handlers: {
          ...projectionHandlers,
          OrderChanged: (e, ctx) => {
            if (e.payload.status === 's0') throw new Error('cannot apply s0');
            projectionHandlers.OrderChanged(e, ctx);
          },
        },
      });
      const [created, s0, s1] = await produce(1, 2);
      await consumer.handle(created!);
      expect(await consumer.handle(s1!)).toMatchObject({ kind: 'parked' });
      expect(await consumer.handle(s0!)).toMatchObject({ kind: 'dead-lettered' });
      expect(projection(db)).toEqual([{ order_id: 'order-0', status: 's1', total_cents: 1002, history: 'created,s1' }]);
    });
  });

  it('shuffled and doubled replay gives the same final state as in-order single delivery', async () => {
    const events = await produce(4, 3);
    const reference = projectionDb();
    const inOrder = await makeConsumer(reference, { ordering: true });
    for (const e of events) await inOrder.handle(e);
    const expected = projection(reference);
    expect(expected).toHaveLength(4);

    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([...events, ...events], { minLength: events.length * 2 }), async (replay) => {
        const db = projectionDb();
        const consumer = await makeConsumer(db, { ordering: true });
        for (const e of replay) {
          const outcome = await consumer.handle(e);
          expect(['processed', 'duplicate', 'parked']).toContain(outcome.kind);
        }
        expect(projection(db)).toEqual(expected);
        await consumer.close();
        db.close();
      }),
      { numRuns: 50 },
    );
  });
});
