import { getCorrelationId } from '@faultline/sdk';
import { HttpError, requireInt, requireString, route } from '../../lib/http.js';
import { startRelay } from '../../lib/publisher.js';
import type { ServiceDefinition } from '../../lib/service.js';
import { ALL_DOMAINS } from '../../migration/replica.js';
import { startReplication, type Replication } from '../../migration/sync.js';
import { INVENTORY_SCHEMA, reservationState } from '../inventory/stock.js';
import { NOTIFICATIONS_SCHEMA } from '../notifications/store.js';
import { getOrderRoute } from '../orders/orderRoute.js';
import { migrateOrdersSchema, ORDERS_SCHEMA } from '../orders/store.js';
import { paymentState, PAYMENTS_SCHEMA } from '../payments/ledger.js';
import { shipmentState, SHIPPING_SCHEMA } from '../shipping/shipments.js';
import { orderIdFrom } from '../../lib/orderId.js';
import { placeOrderLocally } from './placeOrder.js';

/**
 * The shop before it was split: one process, one database holding every
 * domain's tables (the same tables the services own one by one), the same
 * public API as the gateway, and local ACID transactions. It publishes its
 * facts through its transactional outbox; during a migration (STRANGLER=1,
 * resilient) it also replicates the extracted services' facts back, so both
 * sides see the same orders.
 */
export const monolith: ServiceDefinition = {
  name: 'monolith',
  schema: [ORDERS_SCHEMA, PAYMENTS_SCHEMA, INVENTORY_SCHEMA, SHIPPING_SCHEMA, NOTIFICATIONS_SCHEMA].join('\n'),
  async build({ config, db, outbox, app }) {
    migrateOrdersSchema(db);
    const relay = startRelay(config, outbox);
    let replication: Replication | undefined;
    if (config.strangler && config.mode === 'resilient') {
      replication = await startReplication(config, db, ALL_DOMAINS, (source) => source !== 'monolith');
    }

    app.post(
      '/orders',
      route((req, res) => {
        const sku = requireString(req.body, 'sku', 32);
        const qty = requireInt(req.body, 'qty', 1, 100);
        const id = orderIdFrom(req.get('x-order-id'));
        const result = placeOrderLocally(db, outbox, { id, sku, qty, correlationId: getCorrelationId() ?? null });
        relay.wake();
        const code = result.status === 'confirmed' ? (result.replayed ? 200 : 201) : 409;
        res.status(code).json({ orderId: id, status: result.status, ...(result.reason ? { error: result.reason } : {}) });
      }),
    );
    app.get('/orders/:id', getOrderRoute(db));
    // The domains' read routes, answered from the one database as the services answer them from theirs.
    app.get('/payments/:orderId', route((req, res) => void res.json(paymentState(db, String(req.params.orderId)))));
    app.get('/reservations/:orderId', route((req, res) => void res.json(reservationState(db, String(req.params.orderId)))));
    app.get('/shipments/:orderId', route((req, res) => void res.json(shipmentState(db, String(req.params.orderId)))));
    app.get(
      '/notifications/:orderId',
      route((req, res) => {
        res.json(db.prepare('SELECT kind, event_id AS eventId, created_ms AS createdMs FROM notifications WHERE order_id = ? ORDER BY id').all(String(req.params.orderId)));
      }),
    );
    return {
      async close() {
        await replication?.close();
        await relay.stop();
      },
    };
  },
};
