import { GATEWAY_POLICIES, serviceClient } from '../../lib/clients.js';
import { route } from '../../lib/http.js';
import { TokenBucket } from '../../lib/rateLimit.js';
import type { ServiceDefinition } from '../../lib/service.js';
import { mountStrangler } from './strangler.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS admissions (
  second INTEGER PRIMARY KEY,
  admitted INTEGER NOT NULL DEFAULT 0,
  shed INTEGER NOT NULL DEFAULT 0
);
`;

/** Forwards an upstream answer as is: status, JSON body and the content type. */
async function relay(upstream: Response, res: import('express').Response): Promise<void> {
  const body = await upstream.text();
  res.status(upstream.status).type(upstream.headers.get('content-type') ?? 'application/json').send(body);
}

/**
 * The edge: correlation id (created here when absent, by the SDK middleware),
 * rate limit with 429 in resilient mode, and routing to orders.
 */
export const gateway: ServiceDefinition = {
  name: 'gateway',
  schema: SCHEMA,
  build({ config, db, app, stats }) {
    const orders = serviceClient(config, 'orders', GATEWAY_POLICIES);
    const bucket = config.mode === 'resilient' ? new TokenBucket(config.rateLimitRps, Math.max(1, Math.ceil(config.rateLimitRps / 4))) : undefined;
    const count = db.prepare(
      `INSERT INTO admissions (second, admitted, shed) VALUES (?, ?, ?)
       ON CONFLICT(second) DO UPDATE SET admitted = admitted + excluded.admitted, shed = shed + excluded.shed`,
    );
    stats.shed = 0;
    /** Token bucket in resilient mode; false when the request was shed (429 sent). */
    const admit = (_req: import('express').Request, res: import('express').Response): boolean => {
      const second = Math.floor(Date.now() / 1000);
      if (bucket && !bucket.tryTake()) {
        count.run(second, 0, 1);
        stats.shed = (stats.shed as number) + 1;
        res.setHeader('Retry-After', String(bucket.retryAfterSeconds()));
        res.status(429).json({ error: 'rate limit exceeded' });
        return false;
      }
      count.run(second, 1, 0);
      return true;
    };

    if (config.strangler) {
      mountStrangler(app, config, admit, stats);
      return;
    }

    app.post(
      '/orders',
      route(async (req, res) => {
        if (!admit(req, res)) return;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        const key = req.get('idempotency-key');
        if (key) headers['idempotency-key'] = key;
        const upstream = await orders('/orders', { method: 'POST', headers, body: JSON.stringify(req.body ?? {}), idempotencyKey: false });
        await relay(upstream, res);
      }),
    );

    app.get(
      '/orders/:id',
      route(async (req, res) => {
        const upstream = await orders(`/orders/${encodeURIComponent(String(req.params.id))}`);
        await relay(upstream, res);
      }),
    );
  },
};
