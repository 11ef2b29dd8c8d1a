// /api/*: parse → store → analysis → respond. Bad input is a 400 with { error }.
import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { buildGraph, serviceAnswers } from '../analysis/index.js';
import { TRACE_ID_PATTERN } from '../ingest/index.js';
import type { SpanRecord } from '../model.js';
import type { TraceStore } from '../store/index.js';
import type { GraphAnswer, NamespacesAnswer, ServicesAnswer } from './answers/types.js';
import { enumParam, namespaceParam, numberParam, ParamError, rangeParams, stringParam, TRACE_LIMIT_DEFAULT, TRACE_LIMIT_MAX } from './params.js';
import { attrFilters, traceIdFilter } from './seriesParams.js';
import { cachedRootCauses } from './rootCauses.js';

/** Runs one /api/namespaces answer lists at most (the newest). */
export const NAMESPACES_MAX = 1000;

export interface QueryRouterDeps {
  store: TraceStore;
  controlUrl: string | null;
  log: (line: string) => void;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;

/** Sends JSON with a weak ETag so that polling dashboards get 304 when nothing changed. */
function sendJson(req: Request, res: Response, body: unknown): void {
  const text = JSON.stringify(body);
  const etag = `W/"${createHash('sha1').update(text).digest('base64url').slice(0, 20)}"`;
  res.set('Cache-Control', 'no-cache');
  res.set('ETag', etag);
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(text);
}

export function traceResponse(traceId: string, spans: readonly SpanRecord[]) {
  return {
    traceId,
    spans: spans.map((s) => ({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      service: s.service,
      name: s.name,
      kind: s.kind,
      startMs: s.startMs,
      endMs: s.endMs,
      durationMs: s.durationMs,
      status: s.status,
      statusMessage: s.statusMessage,
      attributes: s.attributes,
      resource: s.resource,
      events: s.events,
      links: s.links,
    })),
  };
}

export function queryRouter(deps: QueryRouterDeps): express.Router {
  const router = express.Router();
  const { store } = deps;
  const wrap =
    (h: Handler) =>
    (req: Request, res: Response, next: NextFunction): void => {
      h(req, res).catch(next);
    };

  router.get('/api/config', (_req, res) => {
    res.json({ controlUrl: deps.controlUrl });
  });

  router.get(
    '/api/services',
    wrap(async (req, res) => {
      const range = rangeParams(req.query);
      const answer: ServicesAnswer = serviceAnswers(await store.graphInput({ ...range, namespace: namespaceParam(req.query) }), range.toMs);
      sendJson(req, res, answer);
    }),
  );

  router.get(
    '/api/graph',
    wrap(async (req, res) => {
      const range = rangeParams(req.query);
      const answer: GraphAnswer = buildGraph(await store.graphInput({ ...range, namespace: namespaceParam(req.query) }), range.toMs);
      sendJson(req, res, answer);
    }),
  );

  router.get(
    '/api/namespaces',
    wrap(async (req, res) => {
      const answer: NamespacesAnswer = await store.namespaces({ ...rangeParams(req.query), limit: NAMESPACES_MAX });
      sendJson(req, res, answer);
    }),
  );

  router.get(
    '/api/traces',
    wrap(async (req, res) => {
      const range = rangeParams(req.query);
      const limitRaw = numberParam(req.query, 'limit', 1, Number.MAX_SAFE_INTEGER);
      if (limitRaw !== undefined && !Number.isInteger(limitRaw)) throw new ParamError('limit must be an integer');
      const traces = await store.listTraces({
        ...range,
        service: stringParam(req.query, 'service', 256),
        operation: stringParam(req.query, 'operation', 1024),
        status: enumParam(req.query, 'status', ['error', 'ok'] as const),
        minDurationMs: numberParam(req.query, 'minDurationMs', 0, 1e12),
        maxDurationMs: numberParam(req.query, 'maxDurationMs', 0, 1e12),
        namespace: namespaceParam(req.query),
        correlationId: stringParam(req.query, 'correlationId', 128),
        attributes: attrFilters(req.query),
        traceIds: traceIdFilter(req.query),
        limit: Math.min(limitRaw ?? TRACE_LIMIT_DEFAULT, TRACE_LIMIT_MAX),
      });
      sendJson(req, res, traces);
    }),
  );

  router.get(
    '/api/traces/:traceId',
    wrap(async (req, res) => {
      const traceId = String(req.params.traceId).toLowerCase();
      if (!TRACE_ID_PATTERN.test(traceId)) throw new ParamError('traceId must be 32 hex characters');
      const spans = await store.getTrace(traceId);
      if (spans.length === 0) return res.status(404).json({ error: `trace ${traceId} not found` });
      sendJson(req, res, traceResponse(traceId, spans));
    }),
  );

  router.get(
    '/api/root-causes',
    wrap(async (req, res) => sendJson(req, res, await cachedRootCauses(store, { ...rangeParams(req.query), namespace: namespaceParam(req.query) }))),
  );

  return router;
}

/** Last handler for /api/*: 404 for unknown routes, 400 for bad input, 503 (never 500) otherwise. */
export function apiErrors(log: (line: string) => void) {
  let logged = false;
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) return void res.end();
    if (err instanceof ParamError) return void res.status(400).json({ error: err.message });
    const status = (err as { status?: number; statusCode?: number })?.status ?? (err as { statusCode?: number })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return void res.status(status).json({ error: (err as Error).message || 'bad request' });
    }
    if (!logged) {
      logged = true;
      log(`faultline collector: query failed (further failures not logged): ${(err as Error)?.message ?? err}`);
    }
    res.status(503).set('Retry-After', '5').json({ error: 'storage unavailable' });
  };
}
