// Parsing of GET /api/series and GET /api/traces' additions.
import { BUCKET_MS, bucketStart } from '../analysis/index.js';
import { TRACE_ID_PATTERN } from '../ingest/index.js';
import type { SeriesSubject } from '../store/index.js';
import { enumParam, intParam, listParam, ParamError, stringParam } from './params.js';

type Query = Record<string, unknown>;

/** Points one series answer holds at most. */
export const SERIES_POINTS_MAX = 1440;
/** `attr` filters per trace query. */
export const ATTR_FILTERS_MAX = 8;
/** `traceId` values per trace query. */
export const TRACE_IDS_MAX = 100;

export function seriesSubject(q: Query): SeriesSubject {
  const service = stringParam(q, 'service', 256);
  const source = stringParam(q, 'source', 256);
  const target = stringParam(q, 'target', 256);
  if (service !== undefined && (source !== undefined || target !== undefined)) throw new ParamError('give either service, or source and target, not both');
  if ((source === undefined) !== (target === undefined)) throw new ParamError('source and target go together (an edge)');
  const view = enumParam(q, 'view', ['own', 'callers'] as const);
  if (view === 'callers' && service === undefined) throw new ParamError('view=callers needs service');
  if (service !== undefined) return view === 'callers' ? { callersOf: service } : { service };
  if (source !== undefined && target !== undefined) return { source, target };
  return { system: true };
}

/** stepMs (a multiple of a minute, default one) and the first point's start, checked against SERIES_POINTS_MAX. */
export function seriesSteps(q: Query, range: { fromMs: number; toMs: number }): { stepMs: number; firstMs: number; count: number } {
  const stepMs = intParam(q, 'stepMs', BUCKET_MS, 31 * 86_400_000) ?? BUCKET_MS;
  if (stepMs % BUCKET_MS !== 0) throw new ParamError(`stepMs must be a multiple of ${BUCKET_MS}`);
  const firstMs = bucketStart(range.fromMs);
  const count = Math.max(1, Math.ceil((range.toMs - firstMs + 1) / stepMs));
  if (count > SERIES_POINTS_MAX) throw new ParamError(`from..to / stepMs gives ${count} points; at most ${SERIES_POINTS_MAX} (use a larger stepMs)`);
  return { stepMs, firstMs, count };
}

export function attrFilters(q: Query): { key: string; value: string }[] {
  return listParam(q, 'attr', ATTR_FILTERS_MAX, 1280).map((raw) => {
    const at = raw.indexOf('=');
    if (at <= 0) throw new ParamError('attr must be key=value');
    const key = raw.slice(0, at);
    if (key.length > 256 || /["\\]/.test(key)) throw new ParamError('attr key must be at most 256 characters, without quotes or backslashes');
    return { key, value: raw.slice(at + 1) };
  });
}

export function traceIdFilter(q: Query): string[] | undefined {
  const ids = listParam(q, 'traceId', TRACE_IDS_MAX, 32).map((id) => id.toLowerCase());
  for (const id of ids) if (!TRACE_ID_PATTERN.test(id)) throw new ParamError('traceId must be 32 hex characters');
  return ids.length ? ids : undefined;
}
