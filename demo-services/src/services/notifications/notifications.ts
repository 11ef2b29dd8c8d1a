import { parseEvent } from '../../lib/events/index.js';
import { consumeNats, type NatsSubscription } from '../../lib/events/nats.js';
import { HttpError, requireString, route } from '../../lib/http.js';
import type { ServiceDefinition } from '../../lib/service.js';
import { applyEvent, NOTIFICATIONS_SCHEMA, notifyDirect } from './store.js';

/** Fed only by events (resilient) or by direct calls from orders (naive). */
export const notifications: ServiceDefinition = {
  name: 'notifications',
  schema: NOTIFICATIONS_SCHEMA,
  async build({ config, db, app, stats }) {
    stats.applied = 0;
    stats.duplicates = 0;
    const handle = (value: unknown): boolean => {
      const parsed = parseEvent(value);
      if (!parsed.ok) throw new HttpError(400, parsed.error);
      const fresh = applyEvent(db, parsed.event);
      if (fresh) stats.applied = (stats.applied as number) + 1;
      else stats.duplicates = (stats.duplicates as number) + 1;
      return fresh;
    };
    // The HTTP transport's receiving end; also how tests replay events.
    app.post(
      '/events',
      route((req, res) => {
        const fresh = handle(req.body);
        res.status(fresh ? 201 : 200).json({ duplicate: !fresh });
      }),
    );
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
    let subscription: NatsSubscription | undefined;
    if (config.mode === 'resilient' && config.natsUrl) {
      subscription = await consumeNats(config.natsUrl, config.natsStream, 'notifications', (event) => {
        handle(event);
      });
    }
    return { close: () => subscription?.close() };
  },
};
