import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing } from '../../test/helpers.js';
import type { Tracing } from '../../test/helpers.js';
import { getCorrelationId, middleware } from '../index.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

function answer(res: ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ correlationId: getCorrelationId() }));
}

const frameworks: Array<[string, () => Listener, string | undefined]> = [
  [
    'express 5',
    () => {
      const app = express5();
      app.use(middleware());
      app.get('/orders/:id', (_req, res) => answer(res));
      return app;
    },
    '/orders/:id',
  ],
  [
    'express 4',
    () => {
      const app = express4();
      app.use(middleware());
      app.get('/orders/:id', (_req, res) => answer(res));
      return app;
    },
    '/orders/:id',
  ],
  [
    'node:http',
    () => {
      const mw = middleware();
      return (req, res) => mw(req, res, () => answer(res));
    },
    undefined,
  ],
];

describe.each(frameworks)('middleware on %s', (_name, makeListener, route) => {
  let tracing: Tracing;
  let url: string;
  let server: ReturnType<typeof createServer>;
  beforeAll(async () => {
    tracing = startTracing('frameworks');
    server = createServer(makeListener());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await tracing.stop();
  });

  it('continues the W3C trace in a SERVER span with the correlation id (and the route where the framework has one)', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${url}/orders/7`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-correlation-id': 'fw-1' } });
    expect(await res.json()).toEqual({ correlationId: 'fw-1' });
    expect(res.headers.get('x-correlation-id')).toBe('fw-1');
    const spans = await tracing.spans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(server?.attributes['faultline.correlation_id']).toBe('fw-1');
    expect(server?.attributes['http.route']).toBe(route);
  });
});
