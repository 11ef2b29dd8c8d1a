import { httpReceiver, IdempotentConsumer, SqliteInbox, subscribeNats, subscribeRabbitMq, type EventEnvelope } from '@faultline/sdk/messaging';
import type { Db } from '../../lib/db.js';
import { requireString, route } from '../../lib/http.js';
import { EVENT_TYPES } from '../../lib/publisher.js';
import type { ServiceDefinition } from '../../lib/service.js';
import { NOTIFICATIONS_SCHEMA, NOTIFIED_TYPES, notifyDirect, recordNotification } from './store.js';

function handlerFor(type: string) {
  return (event: EventEnvelope, { tx }: { tx: Db }): void => {
    const payload = event.payload as { orderId?: unknown };
    const orderId = typeof payload?.orderId === 'string' ? payload.orderId : event.key;
    if (orderId && NOTIFIED_TYPES.has(type)) recordNotification(tx, event.id, orderId, type);
  };
}

/**
 * Fed only by events in resilient mode: an idempotent consumer (inbox keyed by
 * event id, per-order ordering) over JetStream, RabbitMQ or HTTP. In naive mode orders
 * calls `/notify` directly.
 */
export const notifications: ServiceDefinition = {
  name: 'notifications',
  schema: NOTIFICATIONS_SCHEMA,
  async build({ config, db, app }) {
    const consumer = new IdempotentConsumer<Db>({
      name: 'notifications',
      inbox: new SqliteInbox(db),
      ordering: { parkTimeoutMs: 30_000, sweepIntervalMs: 500 },
      handlers: Object.fromEntries(EVENT_TYPES.map((t) => [t, handlerFor(t)])),
    });
    await consumer.ensureSchema();
    // The HTTP transport's receiving end; also how tests replay events.
    app.post('/events', httpReceiver(consumer));
    app.post(
      '/notify',
      route((req, res) => {
        notifyDirect(db, requireString(req.body, 'orderId'), requireString(req.body, 'kind', 64));
        res.status(201).json({ ok: true });
      }),
    );
    app.get(
      '/notifications/:orderId',
      route((req, res) => {
        res.json(db.prepare('SELECT kind, event_id AS eventId, created_ms AS createdMs FROM notifications WHERE order_id = ? ORDER BY id').all(String(req.params.orderId)));
      }),
    );
    let subscription: { ready: Promise<void>; stop(): Promise<void> } | undefined;
    if (config.mode === 'resilient' && config.broker === 'rabbitmq') {
      subscription = subscribeRabbitMq({ stream: config.natsStream, consumer, url: config.amqpUrl, group: 'notifications' });
      await subscription.ready;
    } else if (config.mode === 'resilient' && config.natsUrl) {
      subscription = subscribeNats({ stream: config.natsStream, consumer, servers: config.natsUrl, durable: 'notifications', ackWaitMs: 5000 });
      await subscription.ready;
    }
    return {
      async close() {
        await subscription?.stop();
        await consumer.close();
      },
    };
  },
};
