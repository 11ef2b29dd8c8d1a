import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotentConsumer } from './consumer/IdempotentConsumer.js';
import { PgInbox } from './consumer/PgInbox.js';
import type { EventEnvelope } from './envelope.js';
import { PgOutbox } from './outbox/PgOutbox.js';
import { OutboxRelay } from './relay/OutboxRelay.js';
import { FlakyTransport } from './testing/FlakyTransport.js';
import { DATABASE_URL, serviceAvailable, uniqueName } from './testing/services.js';

const available = await serviceAvailable('PostgreSQL');

describe.skipIf(!available)('PostgreSQL outbox and inbox (real server)', () => {
  const schema = uniqueName('fl_msg').toLowerCase();
  let pool: pg.Pool;
  let outbox: PgOutbox;

  async function inTx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const r = await fn(c);
      await c.query('COMMIT');
      return r;
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    } finally {
      c.release();
    }
  }

  const placeOrder = (id: string, total: number) => inTx(async (c) => {
    await c.query(`INSERT INTO ${schema}.orders (id, status, total_cents) VALUES ($1, 'pending', $2)`, [id, total]);
    return outbox.add(c, { type: 'OrderCreated', key: id, payload: { orderId: id, totalCents: total } });
  });
  const changeOrder = (id: string, status: string, delta: number) => inTx(async (c) => {
    await c.query(`UPDATE ${schema}.orders SET status = $1, total_cents = total_cents + $2 WHERE id = $3`, [status, delta, id]);
    return outbox.add(c, { type: 'OrderChanged', key: id, payload: { orderId: id, status, deltaCents: delta } });
  });

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 12 });
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.orders (id TEXT PRIMARY KEY, status TEXT NOT NULL, total_cents INTEGER NOT NULL)`);
    await pool.query(`CREATE TABLE ${schema}.projection (consumer TEXT, order_id TEXT, status TEXT, total_cents INTEGER, history TEXT NOT NULL DEFAULT '',
      PRIMARY KEY (consumer, order_id))`);
    outbox = new PgOutbox(pool, { source: 'orders', tablePrefix: `${schema}.faultline_` });
    await outbox.ensureSchema();
  });

  afterAll(async () => {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await pool.end();
  });

  it('writes the event in the caller\'s transaction: a rollback leaves neither order nor event', async () => {
    await placeOrder('p-1', 10);
    await expect(inTx(async (c) => {
      await c.query(`INSERT INTO ${schema}.orders VALUES ('p-2', 'pending', 1)`);
      await outbox.add(c, { type: 'OrderCreated', key: 'p-2', payload: {} });
      throw new Error('payment declined');
    })).rejects.toThrow('payment declined');
    const pending = await outbox.fetchPending(100);
    expect(pending.map((p) => p.envelope.key)).toEqual(['p-1']);
    expect((await pool.query(`SELECT id FROM ${schema}.orders`)).rows).toEqual([{ id: 'p-1' }]);
  });

  it('concurrent transactions on one key get sequence numbers in commit order', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => changeOrder('p-1', `c${i}`, 1)));
    expect(results.map((e) => e.sequence).sort((a, b) => a! - b!)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const pending = (await outbox.fetchPending(100)).filter((p) => p.envelope.key === 'p-1');
    // Publish order (row id) agrees with sequence order for a key.
    expect(pending.map((p) => p.envelope.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('the relay drains in order after an outage and reports lag', async () => {
    const transport = new FlakyTransport();
    transport.down = true;
    const relay = new OutboxRelay({ outbox, transport, pollIntervalMs: 10, retryInitialDelayMs: 5, retryMaxDelayMs: 20, onError: () => undefined });
    relay.start();
    try {
      for (let i = 0; i < 5; i++) await placeOrder(`q-${i}`, i);
      const lag = await relay.lag();
      expect(lag.pending).toBe(14);
      transport.down = false;
      for (let i = 0; i < 100 && (await relay.lag()).pending > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await relay.lag()).toEqual({ pending: 0, oldestAgeMs: 0 });
      expect(transport.received.map((e) => `${e.key}#${e.sequence}`)).toEqual([
        'p-1#1', ...Array.from({ length: 8 }, (_, i) => `p-1#${i + 2}`), ...Array.from({ length: 5 }, (_, i) => `q-${i}#1`),
      ]);
    } finally {
      await relay.stop();
    }
  });

  it('refuses relay cursors: pg row ids are not commit-ordered', async () => {
    await expect(outbox.fetchPending(10, 'payments')).rejects.toThrow(/commit-ordered/);
  });

  function projector(name: string, ordering: boolean) {
    return new IdempotentConsumer<pg.ClientBase>({
      name,
      inbox: new PgInbox(pool, { tablePrefix: `${schema}.faultline_` }),
      ordering,
      handlers: {
        OrderCreated: async (e: EventEnvelope<any>, { tx }) => {
          await tx.query(`INSERT INTO ${schema}.projection (consumer, order_id, status, total_cents, history) VALUES ($1, $2, 'pending', $3, 'created')`,
            [name, e.payload.orderId, e.payload.totalCents]);
        },
        OrderChanged: async (e: EventEnvelope<any>, { tx }) => {
          const r = await tx.query(`UPDATE ${schema}.projection SET status = $1, total_cents = total_cents + $2, history = history || ',' || $1
            WHERE consumer = $3 AND order_id = $4`, [e.payload.status, e.payload.deltaCents, name, e.payload.orderId]);
          if (r.rowCount === 0) throw new Error('not created yet');
        },
      },
    });
  }

  const projectionOf = async (name: string) =>
    (await pool.query(`SELECT order_id, status, total_cents, history FROM ${schema}.projection WHERE consumer = $1 ORDER BY order_id`, [name])).rows;

  it('20 concurrent deliveries of one event run the handler once', async () => {
    const consumer = projector('concurrent', false);
    await consumer.ensureSchema();
    const e = await placeOrder('r-1', 5);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => consumer.handle(JSON.stringify(e))));
    expect(outcomes.filter((o) => o.kind === 'processed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(19);
    expect(await projectionOf('concurrent')).toEqual([{ order_id: 'r-1', status: 'pending', total_cents: 5, history: 'created' }]);
    await consumer.close();
  });

  it('a shuffled, doubled, concurrent replay ends in the same state as in-order single delivery', async () => {
    const rows = (await pool.query(`SELECT envelope FROM ${schema}.faultline_outbox ORDER BY id`)).rows as { envelope: string }[];
    const events = rows.map((r) => JSON.parse(r.envelope) as EventEnvelope);
    const reference = projector('reference', true);
    await reference.ensureSchema();
    for (const e of events) await reference.handle(e);
    const expected = await projectionOf('reference');
    expect(expected.length).toBeGreaterThan(3);

    const replay = [...events, ...events];
    let seed = 7;
    for (let i = replay.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [replay[i], replay[j]] = [replay[j]!, replay[i]!];
    }
    const consumer = projector('replayed', true);
    for (let i = 0; i < replay.length; i += 6) {
      const outcomes = await Promise.all(replay.slice(i, i + 6).map((e) => consumer.handle(e)));
      for (const o of outcomes) expect(['processed', 'duplicate', 'parked']).toContain(o.kind);
    }
    expect(await projectionOf('replayed')).toEqual(expected.map((r) => ({ ...r })));
    await reference.close();
    await consumer.close();
  });
});
