// GET /api/root-causes orchestration: aggregates → incidents → bounded span samples → ranking.
import { BUCKET_MS, detectIncidents, type IncidentWindow, rankRootCauses, type RootCause } from '../analysis/index.js';
import type { TimeRange, TraceStore } from '../store/index.js';

/** Minutes of history before `from` that incident detection uses as its baseline. */
export const BASELINE_WINDOW_MS = 30 * BUCKET_MS;
/** Whole traces sampled per incident and per baseline. */
export const SAMPLE_TRACES_MAX = 100;
/** Incidents analysed per answer (most recent first). */
export const INCIDENTS_MAX = 10;

export interface IncidentAnswer extends IncidentWindow {
  rootCauses: RootCause[];
}

export async function detect(store: TraceStore, range: TimeRange): Promise<IncidentWindow[]> {
  const series = await store.entrySeries({ fromMs: range.fromMs - BASELINE_WINDOW_MS, toMs: range.toMs });
  return detectIncidents(series)
    .filter((i) => i.endMs >= range.fromMs && i.startMs <= range.toMs)
    .sort((a, b) => b.startMs - a.startMs)
    .slice(0, INCIDENTS_MAX);
}

export async function explain(store: TraceStore, incident: IncidentWindow): Promise<IncidentAnswer> {
  const [spans, baselineSpans] = await Promise.all([
    store.sampleSpans({ fromMs: incident.startMs, toMs: incident.endMs, maxTraces: SAMPLE_TRACES_MAX }),
    store.sampleSpans({ fromMs: incident.startMs - BASELINE_WINDOW_MS, toMs: incident.startMs - 1, maxTraces: SAMPLE_TRACES_MAX, prefer: 'recent' }),
  ]);
  return { ...incident, rootCauses: rankRootCauses({ spans, baselineSpans, entryServices: incident.affected }) };
}

/** How long an answer for one exact (from, to) is reused: the dashboard and several viewers ask the same window. */
export const ROOT_CAUSES_CACHE_MS = 2_000;
const CACHE_ENTRIES_MAX = 64;

interface CacheEntry {
  expiresAtMs: number;
  answer: Promise<{ incidents: IncidentAnswer[] }>;
}
const caches = new WeakMap<TraceStore, Map<string, CacheEntry>>();

/**
 * rootCauses() with a short per-(from, to) cache: concurrent and repeated requests for the
 * same window share one computation for ROOT_CAUSES_CACHE_MS. A failed computation is not kept.
 */
export function cachedRootCauses(store: TraceStore, range: TimeRange, nowMs = Date.now(), ttlMs = ROOT_CAUSES_CACHE_MS): Promise<{ incidents: IncidentAnswer[] }> {
  let cache = caches.get(store);
  if (!cache) {
    cache = new Map();
    caches.set(store, cache);
  }
  const key = `${range.fromMs}:${range.toMs}`;
  const hit = cache.get(key);
  if (hit && hit.expiresAtMs > nowMs) return hit.answer;
  for (const [k, e] of cache) if (e.expiresAtMs <= nowMs) cache.delete(k);
  while (cache.size >= CACHE_ENTRIES_MAX) cache.delete(cache.keys().next().value!);
  const answer = rootCauses(store, range);
  const entry = { expiresAtMs: nowMs + ttlMs, answer };
  cache.set(key, entry);
  answer.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return answer;
}

export async function rootCauses(store: TraceStore, range: TimeRange): Promise<{ incidents: IncidentAnswer[] }> {
  const incidents = await detect(store, range);
  const answers: IncidentAnswer[] = [];
  for (const incident of incidents) answers.push(await explain(store, incident));
  return { incidents: answers };
}
