// GET /api/series, GET|POST /api/annotations, GET /api/breakers: parse → store → analysis → respond.
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { mergeFaultAnnotations, type StoredAnnotation } from '../analysis/index.js';
import { seriesPoints } from '../analysis/seriesPoints.js';
import type { TraceStore } from '../store/index.js';
import type { AnnotationsAnswer, BreakersAnswer, SeriesAnswer } from './answers/types.js';
import { parseAnnotationInput, ANNOTATION_BODY_BYTES_MAX } from './annotationInput.js';
import { namespaceParam, ParamError, rangeParams, stringParam } from './params.js';
import { seriesSteps, seriesSubject } from './seriesParams.js';

/** Rows one annotations answer reads at most. */
export const ANNOTATIONS_MAX = 1000;
/** Breaker transitions one answer reads at most. */
export const BREAKER_TRANSITIONS_MAX = 10_000;

export interface EventsRouterDeps {
  store: TraceStore;
  /** A new or grown annotation: the stream tells its clients. */
  onAnnotation?: (a: StoredAnnotation) => void;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;

export function publicAnnotation(a: StoredAnnotation): AnnotationsAnswer[number] {
  const out: AnnotationsAnswer[number] = { id: a.id, timeMs: a.timeMs, kind: a.kind, text: a.text, attributes: a.attributes };
  if (a.endMs !== undefined) out.endMs = a.endMs;
  if (a.service !== undefined) out.service = a.service;
  return out;
}

export async function annotationsAnswer(store: TraceStore, q: { fromMs: number; toMs: number; namespace?: string }): Promise<AnnotationsAnswer> {
  return mergeFaultAnnotations(await store.annotations({ ...q, limit: ANNOTATIONS_MAX })).map(publicAnnotation);
}

export function eventsRouter(deps: EventsRouterDeps): express.Router {
  const router = express.Router();
  const { store } = deps;
  const wrap = (h: Handler) => (req: Request, res: Response, next: NextFunction): void => {
    h(req, res).catch(next);
  };

  router.get('/api/series', wrap(async (req, res) => {
    const range = rangeParams(req.query);
    const of = seriesSubject(req.query);
    const { stepMs, firstMs, count } = seriesSteps(req.query, range);
    const buckets = await store.series({ ...range, namespace: namespaceParam(req.query), of });
    const answer: SeriesAnswer = { stepMs, points: seriesPoints(buckets, firstMs, stepMs, count) };
    res.set('Cache-Control', 'no-cache').json(answer);
  }));

  router.get('/api/annotations', wrap(async (req, res) => {
    const range = rangeParams(req.query);
    res.set('Cache-Control', 'no-cache').json(await annotationsAnswer(store, { ...range, namespace: namespaceParam(req.query) }));
  }));

  router.post('/api/annotations', express.json({ limit: ANNOTATION_BODY_BYTES_MAX, type: () => true }), wrap(async (req, res) => {
    const input = parseAnnotationInput(req.body, Date.now());
    const stored: StoredAnnotation = { ...input, id: `a-${randomUUID()}`, origin: 'api' };
    await store.upsertAnnotations([stored]);
    deps.onAnnotation?.(stored);
    res.status(201).json(publicAnnotation(stored));
  }));

  router.get('/api/breakers', wrap(async (req, res) => {
    const range = rangeParams(req.query);
    const rows = await store.breakerTransitions({ ...range, service: stringParam(req.query, 'service', 256), namespace: namespaceParam(req.query), limit: BREAKER_TRANSITIONS_MAX });
    const byBreaker = new Map<string, BreakersAnswer[number]>();
    for (const t of rows) {
      const key = JSON.stringify([t.service, t.breaker, t.target]);
      let b = byBreaker.get(key);
      if (!b) byBreaker.set(key, (b = { service: t.service, breaker: t.breaker, target: t.target, transitions: [] }));
      b.transitions.push({ timeMs: t.timeMs, from: t.from, to: t.to as 'closed' | 'open' | 'half-open' });
    }
    const answer = [...byBreaker.values()].sort((a, b) => (a.service + a.breaker + a.target < b.service + b.breaker + b.target ? -1 : 1));
    res.set('Cache-Control', 'no-cache').json(answer);
  }));

  // express.json() failures: malformed JSON and over-long bodies are the client's, with a clear message.
  router.use('/api/annotations', (err: unknown, _req: Request, _res: Response, next: NextFunction) => {
    const e = err as { type?: string; status?: number };
    if (e?.type === 'entity.too.large') return next(Object.assign(new Error(`body must be at most ${ANNOTATION_BODY_BYTES_MAX} bytes`), { status: 413 }));
    if (e?.type === 'entity.parse.failed') return next(new ParamError('body must be a JSON object'));
    next(err);
  });
  return router;
}
