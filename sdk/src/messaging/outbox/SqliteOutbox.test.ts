import { describe, expect, it } from 'vitest';
import { isMessagingConfigError } from '../errors.js';
import { ordersDb, placeOrder } from '../testing/shop.js';

describe('SqliteOutbox', () => {
  it('commits the event with the state change and not without it', async () => {
    const { db, outbox } = ordersDb();
    placeOrder(db, outbox, 'o-1', 100);
    expect(() =>
      db.transaction(() => {
        db.prepare(`INSERT INTO orders VALUES ('o-2', 'pending', 5)`).run();
        outbox.add(db, { type: 'OrderCreated', key: 'o-2', payload: {} });
        throw new Error('validation failed after the write');
      })(),
    ).toThrow('validation failed');
    const pending = await outbox.fetchPending(10);
    expect(pending.map((p) => p.envelope.key)).toEqual(['o-1']);
    expect(db.prepare('SELECT id FROM orders').all()).toEqual([{ id: 'o-1' }]);
  });

  it('refuses to write outside a transaction (that would be the dual write again)', () => {
    const { db, outbox } = ordersDb();
    try {
      outbox.add(db, { type: 'OrderCreated', payload: {} });
      expect.unreachable();
    } catch (e) {
      expect(isMessagingConfigError(e)).toBe(true);
    }
  });

  it('numbers events per key in commit order, and a rolled-back event does not use a number', async () => {
    const { db, outbox } = ordersDb();
    const add = (key: string) => db.transaction(() => outbox.add(db, { type: 'T', key, payload: null }))();
    add('a');
    add('b');
    try {
      db.transaction(() => {
        outbox.add(db, { type: 'T', key: 'a', payload: null });
        throw new Error('abort');
      })();
    } catch {
      // expected
    }
    add('a');
    const rows = await outbox.fetchPending(10);
    expect(rows.map((r) => [r.envelope.key, r.envelope.sequence])).toEqual([['a', 1], ['b', 1], ['a', 2]]);
  });

  it('rejects unserializable payloads and invalid types with a typed error, writing nothing', async () => {
    const { db, outbox } = ordersDb();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => db.transaction(() => outbox.add(db, { type: 'T', payload: circular }))()).toThrow(/not JSON-serializable/);
    expect(() => db.transaction(() => outbox.add(db, { type: 'no spaces', payload: 1 }))()).toThrow(/type: has characters/);
    expect(await outbox.fetchPending(10)).toEqual([]);
  });

  it('reports lag as pending count and oldest age', async () => {
    const { db, outbox } = ordersDb();
    expect(await outbox.lag(Date.now())).toEqual({ pending: 0, oldestAgeMs: 0 });
    const e = placeOrder(db, outbox, 'o-1', 1);
    placeOrder(db, outbox, 'o-2', 1);
    const lag = await outbox.lag(Date.parse(e.time) + 1500);
    expect(lag).toEqual({ pending: 2, oldestAgeMs: 1500 });
    const rows = await outbox.fetchPending(1);
    await outbox.markSent(rows.map((r) => r.rowId), Date.now());
    expect((await outbox.lag(Date.now())).pending).toBe(1);
  });

  it('takes a corrupted row out of the queue with the reason instead of blocking the rows behind it', async () => {
    const { db, outbox } = ordersDb();
    placeOrder(db, outbox, 'o-1', 1);
    placeOrder(db, outbox, 'o-2', 2);
    db.prepare(`UPDATE faultline_outbox SET envelope = '{"broken":' WHERE event_id = (SELECT event_id FROM faultline_outbox ORDER BY id LIMIT 1)`).run();
    const pending = await outbox.fetchPending(10);
    expect(pending.map((p) => p.envelope.key)).toEqual(['o-2']);
    const quarantined = db.prepare('SELECT sent_at, last_error FROM faultline_outbox ORDER BY id LIMIT 1').get() as { sent_at: number; last_error: string };
    expect(quarantined.sent_at).toBe(0);
    expect(quarantined.last_error).toContain('invalid stored envelope');
    expect((await outbox.lag(Date.now())).pending).toBe(1);
  });

  it('history lists sent and unsent rows in publish order, for replay drills', async () => {
    const { db, outbox } = ordersDb();
    for (let i = 0; i < 5; i++) placeOrder(db, outbox, `o-${i}`, i);
    const first = await outbox.fetchPending(2);
    await outbox.markSent(first.map((r) => r.rowId), Date.now());
    expect((await outbox.history(0, 100)).map((r) => r.envelope.key)).toEqual(['o-0', 'o-1', 'o-2', 'o-3', 'o-4']);
    expect((await outbox.history(first[1]!.rowId, 2)).map((r) => r.envelope.key)).toEqual(['o-2', 'o-3']);
  });
});
