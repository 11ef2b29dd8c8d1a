// Serves the built dashboard (Vite output) with a single-page-app fallback, or a page that
// says how to build it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>Faultline</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>Faultline collector is running</h1>
<p>The dashboard has not been built yet. Run <code>pnpm build</code> in the repository root, then reload this page.</p>
<p>The API is available meanwhile: <a href="/api/graph">/api/graph</a>, <a href="/api/services">/api/services</a>, <a href="/api/traces">/api/traces</a>.</p>
</body></html>`;

export function dashboardRouter(dashboardDir: string): express.Router {
  const router = express.Router();
  router.use(express.static(dashboardDir, { index: 'index.html', fallthrough: true, maxAge: '1h', setHeaders: (res, path) => {
    if (path.endsWith('index.html')) res.setHeader('Cache-Control', 'no-cache');
  } }));
  router.get(/^(?!\/(api|v1)(\/|$)).*/, (_req, res) => {
    const index = join(dashboardDir, 'index.html');
    if (existsSync(index)) {
      res.set('Cache-Control', 'no-cache').sendFile(index);
    } else {
      res.status(200).type('html').send(NOT_BUILT);
    }
  });
  return router;
}
