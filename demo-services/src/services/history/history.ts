import { IdempotentConsumer, SqliteInbox, subscribeNats, type EventEnvelope } from '@faultline/sdk/messaging';
import type { Db } from '../../lib/db.js';
import { HttpError, route } from '../../lib/http.js';
import { EVENT_TYPES } from '../../lib/publisher.js';
import type { ServiceDefinition } from '../../lib/service.js';
import { applyToHistory, HISTORY_SCHEMA, type HistoryRow } from './store.js';

function view(row: HistoryRow): Record<string, unknown> {
  return {
    orderId: row.order_id,
    status: row.status,
    sku: row.sku,
    qty: row.qty,
    amount: row.amount,
    paid: row.captured === 1,
    reserved: row.reserved === 1,
    shipped: row.shipped === 1,
    placedBy: row.placed_by,
    events: row.events,
    updatedMs: row.updated_ms,
  };
}

/**
 * The CQRS read side: an order-history view in its own database, fed only by
 * the events of both architectures (durable consumer `history` on the run's
 * stream), never by reading another database. It may lag the write side; the
 * scenario runner measures by how much and checks that it converges.
 */
export const history: ServiceDefinition = {
  name: 'history',
  schema: HISTORY_SCHEMA,
  async build({ config, db, app }) {
    const consumer = new IdempotentConsumer<Db>({
      name: 'history',
      inbox: new SqliteInbox(db),
      ordering: { parkTimeoutMs: 30_000, sweepIntervalMs: 500 },
      handlers: Object.fromEntries(EVENT_TYPES.map((t) => [t, (event: EventEnvelope, { tx }: { tx: Db }) => applyToHistory(tx, event, Date.now())])),
    });
    await consumer.ensureSchema();
    app.get(
      '/history/:orderId',
      route((req, res) => {
        const row = db.prepare('SELECT * FROM order_history WHERE order_id = ?').get(String(req.params.orderId)) as HistoryRow | undefined;
        if (!row) throw new HttpError(404, 'no history for this order (yet)');
        res.json(view(row));
      }),
    );
    if (config.broker !== 'nats' || !config.natsUrl) {
      console.warn('history: the read model is fed over NATS JetStream (BROKER=nats, NATS_URL); no events will arrive');
      return { close: () => consumer.close() };
    }
    const subscription = subscribeNats({ stream: config.natsStream, consumer, servers: config.natsUrl, durable: 'history', ackWaitMs: 5000 });
    await subscription.ready;
    return {
      async close() {
        await subscription.stop();
        await consumer.close();
      },
    };
  },
};
