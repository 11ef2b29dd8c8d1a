// GET /metrics: Prometheus text exposition. Storage failures answer 503, never 500.
import express from 'express';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/exposition.js';
import type { MetricsRegistry } from '../metrics/MetricsRegistry.js';

export function metricsRouter(registry: MetricsRegistry, log: (line: string) => void): express.Router {
  const router = express.Router();
  let logged = false;
  router.get('/metrics', async (_req, res) => {
    try {
      const text = await registry.render();
      res.set('Cache-Control', 'no-cache').type(PROMETHEUS_CONTENT_TYPE).send(text);
    } catch (e) {
      if (!logged) log(`faultline collector: /metrics failed (further failures not logged): ${(e as Error)?.message ?? e}`);
      logged = true;
      res.status(503).set('Retry-After', '5').type('text/plain').send('storage unavailable\n');
    }
  });
  return router;
}
