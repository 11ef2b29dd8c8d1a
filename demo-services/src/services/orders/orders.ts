import { breakers, getCorrelationId, getTraceparent } from '@faultline/sdk';
import { SAGA_STEP_POLICIES, serviceClient } from '../../lib/clients.js';
import { HttpError, requireInt, requireString, route } from '../../lib/http.js';
import { startRelay } from '../../lib/publisher.js';
import type { ServiceDefinition } from '../../lib/service.js';
import { SagaExecutor } from '../../saga/executor.js';
import { ORDER_SAGA } from '../../saga/orderSaga.js';
import { ConsistencyAuditor } from './auditor.js';
import { placeOrderNaive } from './naive.js';
import { Reconciler } from './reconciler.js';
import { getOrderRoute } from './orderRoute.js';
import { insertOrder, migrateOrdersSchema, ORDERS_SCHEMA, priceOf, type OrderRow } from './store.js';
import { BreakerWatch } from './breakerWatch.js';
import { startReplication } from '../../migration/sync.js';
import { orderIdFrom } from '../../lib/orderId.js';

export const orders: ServiceDefinition = {
  name: 'orders',
  schema: ORDERS_SCHEMA,
  async build({ config, db, outbox, app, stats }) {
    migrateOrdersSchema(db);
    const clients = {
      inventory: serviceClient(config, 'inventory', SAGA_STEP_POLICIES),
      payments: serviceClient(config, 'payments', SAGA_STEP_POLICIES),
      shipping: serviceClient(config, 'shipping', SAGA_STEP_POLICIES),
      notifications: serviceClient(config, 'notifications', SAGA_STEP_POLICIES),
    };

    // Behind the strangler gateway the order id is chosen there, so its routing stays sticky.
    function newOrder(body: unknown, orderIdHeader: string | undefined): OrderRow {
      const sku = requireString(body, 'sku', 32);
      const qty = requireInt(body, 'qty', 1, 100);
      const price = priceOf(sku);
      if (price === undefined) throw new HttpError(400, `unknown sku ${sku}`);
      const now = Date.now();
      return {
        id: orderIdFrom(orderIdHeader),
        sku,
        qty,
        amount: price * qty,
        status: 'pending',
        correlation_id: getCorrelationId() ?? null,
        created_ms: now,
        updated_ms: now,
        reconciled_ms: null,
      };
    }

    app.get('/orders/:id', getOrderRoute(db));

    if (config.mode === 'naive') {
      app.post(
        '/orders',
        route(async (req, res) => {
          const order = newOrder(req.body, req.get('x-order-id'));
          insertOrder(db, undefined, order, false);
          const result = await placeOrderNaive(db, clients, order);
          res.status(result.status === 'confirmed' ? 201 : 502).json({ orderId: order.id, status: result.status, ...(result.error ? { error: result.error } : {}) });
        }),
      );
      // Report-only: what the incident's architecture lacked was being told, not another repair path.
      const auditor = new ConsistencyAuditor(db, clients);
      auditor.start();
      return { close: () => auditor.stop() };
    }

    // During a migration the monolith's orders are copied in, already audited by the monolith.
    const replication = config.strangler ? await startReplication(config, db, ['orders'], (source) => source === 'monolith') : undefined;
    const executor = new SagaExecutor(db, outbox, ORDER_SAGA, clients);
    const reconciler = new Reconciler(db, clients, executor);
    const relay = startRelay(config, outbox);
    const watch = new BreakerWatch(breakers);
    executor.start();
    reconciler.start();
    watch.start();
    stats.breakers = watch.opened;

    app.post(
      '/orders',
      route(async (req, res) => {
        const order = newOrder(req.body, req.get('x-order-id'));
        // Kept with the saga: steps run later by the poller link back to this request.
        insertOrder(db, outbox, order, true, getTraceparent());
        const status = await executor.run(order.id, true);
        const code = status === 'confirmed' ? 201 : status === 'pending' ? 202 : 503;
        res.status(code).json({ orderId: order.id, status });
      }),
    );

    return {
      async close() {
        watch.stop();
        await replication?.close();
        await reconciler.stop();
        await executor.stop();
        await relay.stop();
      },
    };
  },
};
