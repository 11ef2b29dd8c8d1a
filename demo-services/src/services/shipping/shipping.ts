import { HttpError, requireString, route } from '../../lib/http.js';
import { startRelay } from '../../lib/publisher.js';
import type { ServiceDefinition } from '../../lib/service.js';
import { startReplication } from '../../migration/sync.js';
import { cancelShipment, createShipment, shipmentState, SHIPPING_SCHEMA } from './shipments.js';

export const shipping: ServiceDefinition = {
  name: 'shipping',
  schema: SHIPPING_SCHEMA,
  async build({ config, db, outbox, app }) {
    const resilient = config.mode === 'resilient';
    const relay = resilient ? startRelay(config, outbox) : undefined;
    const replication = resilient && config.strangler ? await startReplication(config, db, ['shipping'], (source) => source === 'monolith') : undefined;
    app.post(
      '/shipments',
      route((req, res) => {
        const orderId = requireString(req.body, 'orderId');
        const outcome = createShipment(db, outbox, orderId, resilient);
        if (outcome.kind === 'voided') throw new HttpError(409, 'shipment was already cancelled');
        res.status(outcome.kind === 'created' ? 201 : 200).json({ orderId, shipmentId: outcome.shipmentId });
      }),
    );
    app.post(
      '/shipments/:orderId/cancel',
      route((req, res) => {
        res.json({ orderId: req.params.orderId, ...cancelShipment(db, outbox, String(req.params.orderId)) });
      }),
    );
    app.get(
      '/shipments/:orderId',
      route((req, res) => {
        res.json(shipmentState(db, String(req.params.orderId)));
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
