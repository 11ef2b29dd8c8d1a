import { idempotency, MemoryIdempotencyStore } from '@faultline/sdk';
import { readJson, SAGA_STEP_POLICIES, serviceClient } from '../../lib/clients.js';
import { HttpError, requireInt, requireString, route } from '../../lib/http.js';
import { startRelay } from '../../lib/publisher.js';
import type { ServiceDefinition } from '../../lib/service.js';
import { startReplication } from '../../migration/sync.js';
import { captureAlways, captureOnce, paymentState, PAYMENTS_SCHEMA, refund } from './ledger.js';

export const payments: ServiceDefinition = {
  name: 'payments',
  schema: PAYMENTS_SCHEMA,
  async build({ config, db, outbox, app }) {
    if (config.mode === 'naive') {
      const inventory = serviceClient(config, 'inventory', {});
      // The incident: capture first, then reserve stock; when inventory fails the charge stays.
      app.post(
        '/payments/charge-and-reserve',
        route(async (req, res) => {
          const orderId = requireString(req.body, 'orderId');
          const amount = requireInt(req.body, 'amount', 1, 1_000_000_00);
          const sku = requireString(req.body, 'sku');
          const qty = requireInt(req.body, 'qty', 1, 1000);
          const paymentId = captureAlways(db, orderId, amount);
          const reserved = await inventory('/reservations', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ orderId, sku, qty }),
          });
          const body = await readJson(reserved);
          if (!reserved.ok) throw new HttpError(502, `inventory answered ${reserved.status}: ${String(body.error ?? '')}`);
          res.status(201).json({ paymentId, reservation: body });
        }),
      );
      // Read-only, for the consistency audit (which reports what the naive flow leaves behind).
      app.get(
        '/payments/:orderId',
        route((req, res) => {
          res.json(paymentState(db, String(req.params.orderId)));
        }),
      );
      return;
    }

    const relay = startRelay(config, outbox);
    const replication = config.strangler ? await startReplication(config, db, ['payments'], (source) => source === 'monolith') : undefined;
    // The key store answers retries of a call still in flight (409) or done (replayed);
    // the one-capture-per-order rule in the database is what survives a restart.
    const keys = idempotency({ store: new MemoryIdempotencyStore(), required: true, ttlMs: 10 * 60_000 });
    app.post(
      '/payments',
      keys,
      route((req, res) => {
        const orderId = requireString(req.body, 'orderId');
        const amount = requireInt(req.body, 'amount', 1, 1_000_000_00);
        const outcome = captureOnce(db, outbox, orderId, amount, req.get('idempotency-key'));
        if (outcome.kind === 'voided') throw new HttpError(409, 'order was already refunded or voided');
        res.status(outcome.kind === 'captured' ? 201 : 200).json({ orderId, paymentId: outcome.paymentId, replayed: outcome.kind === 'replayed' });
      }),
    );
    app.post(
      '/payments/:orderId/refund',
      route((req, res) => {
        res.json({ orderId: req.params.orderId, ...refund(db, outbox, String(req.params.orderId)) });
      }),
    );
    app.get(
      '/payments/:orderId',
      route((req, res) => {
        res.json(paymentState(db, String(req.params.orderId)));
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
