import { HttpError, requireInt, requireString, route } from '../../lib/http.js';
import { startRelay } from '../../lib/publisher.js';
import type { ServiceDefinition } from '../../lib/service.js';
import { startReplication } from '../../migration/sync.js';
import { INVENTORY_SCHEMA, release, reservationState, reserveAlways, reserveOnce } from './stock.js';

export const inventory: ServiceDefinition = {
  name: 'inventory',
  schema: INVENTORY_SCHEMA,
  async build({ config, db, outbox, app }) {
    const resilient = config.mode === 'resilient';
    const relay = resilient ? startRelay(config, outbox) : undefined;
    const replication = resilient && config.strangler ? await startReplication(config, db, ['inventory'], (source) => source === 'monolith') : undefined;
    app.post(
      '/reservations',
      route((req, res) => {
        const orderId = requireString(req.body, 'orderId');
        const sku = requireString(req.body, 'sku', 32);
        const qty = requireInt(req.body, 'qty', 1, 1000);
        const outcome = resilient ? reserveOnce(db, outbox, orderId, sku, qty) : reserveAlways(db, orderId, sku, qty);
        if (outcome.kind === 'unknown-sku') throw new HttpError(400, `unknown sku ${sku}`);
        if (outcome.kind === 'out-of-stock') throw new HttpError(409, 'out of stock');
        if (outcome.kind === 'voided') throw new HttpError(409, 'reservation was already released');
        res.status(outcome.kind === 'reserved' ? 201 : 200).json({ orderId, reservationId: outcome.reservationId, replayed: outcome.kind === 'replayed' });
      }),
    );
    app.post(
      '/reservations/:orderId/release',
      route((req, res) => {
        res.json({ orderId: req.params.orderId, ...release(db, outbox, String(req.params.orderId)) });
      }),
    );
    app.get(
      '/reservations/:orderId',
      route((req, res) => {
        res.json(reservationState(db, String(req.params.orderId)));
      }),
    );
    return {
      async close() {
        await replication?.close();
        await relay?.stop();
      },
    };
  },
};
