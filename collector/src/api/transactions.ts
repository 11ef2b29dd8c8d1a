// GET /api/transactions?state&type&from&to&limit and GET /api/transactions/:id.
import express, { type NextFunction, type Request, type Response } from 'express';
import { TX_STATES, type TransactionTracker, type TxState } from '../transactions/TransactionTracker.js';
import { enumParam, intParam, ParamError, rangeParams, stringParam, TRACE_LIMIT_DEFAULT, TRACE_LIMIT_MAX } from './params.js';

export function transactionsRouter(tracker: TransactionTracker): express.Router {
  const router = express.Router();
  const handle = (h: (req: Request, res: Response) => void) => (req: Request, res: Response, next: NextFunction) => {
    try {
      h(req, res);
    } catch (e) {
      next(e);
    }
  };

  router.get(
    '/api/transactions',
    handle((req, res) => {
      const nowMs = Date.now();
      const range = rangeParams(req.query, nowMs);
      const list = tracker.list(
        {
          ...range,
          state: enumParam(req.query, 'state', TX_STATES as TxState[]),
          type: stringParam(req.query, 'type', 256),
          limit: Math.min(intParam(req.query, 'limit', 1, Number.MAX_SAFE_INTEGER) ?? TRACE_LIMIT_DEFAULT, TRACE_LIMIT_MAX),
        },
        nowMs,
      );
      res.set('Cache-Control', 'no-cache').json(list);
    }),
  );

  router.get(
    '/api/transactions/:id',
    handle((req, res) => {
      const id = String(req.params.id);
      if (id.length === 0 || id.length > 256) throw new ParamError('id must be 1–256 characters');
      const tx = tracker.get(id);
      if (!tx) return void res.status(404).json({ error: `transaction ${id} not found` });
      const steps = tx.steps.map((s) => ({ name: s.name, service: s.service, state: s.state, startMs: s.startMs, endMs: s.endMs ?? null, traceId: s.traceId }));
      res.set('Cache-Control', 'no-cache').json({ ...tracker.summary(tx, Date.now()), steps });
    }),
  );
  return router;
}
