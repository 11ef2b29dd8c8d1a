// GET /api/alerts?state=firing|resolved&from&to: alerts active at some time in [from, to]
// (default the last 15 minutes; a firing alert is active up to now), newest change first.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AlertState } from '../alerts/AlertState.js';
import { enumParam, rangeParams } from './params.js';

export function alertsRouter(state: AlertState | null): express.Router {
  const router = express.Router();
  router.get('/api/alerts', (req: Request, res: Response, next: NextFunction) => {
    try {
      const nowMs = Date.now();
      const { fromMs, toMs } = rangeParams(req.query, nowMs);
      const wanted = enumParam(req.query, 'state', ['firing', 'resolved'] as const);
      const alerts = (state?.list() ?? []).filter((a) => (!wanted || a.state === wanted) && a.startsAt <= toMs && (a.endsAt ?? nowMs) >= fromMs);
      res.set('Cache-Control', 'no-cache').json(alerts);
    } catch (e) {
      next(e);
    }
  });
  return router;
}
