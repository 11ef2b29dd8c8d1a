// GET /api/root-causes orchestration: aggregates and a time-spread span sample → incidents →
// bounded span samples → ranking.
import { BUCKET_MS, type IncidentWindow, rankRootCauses, type RootCause } from '../analysis/index.js';
import { entryWindows, mergeServiceWindows } from '../analysis/incidents.js';
import { spanWindows } from '../analysis/spanIncidents.js';
import type { SpanRecord } from '../model.js';
import type { AggregateQuery, TraceStore } from '../store/index.js';
import { lostWork, lostWorkCause, lostWorkIncident } from '../analysis/lostWork.js';
import { onsetIncident, shiftOnset } from '../analysis/shiftOnset.js';
import { AnswerCache } from './rootCausesCache.js';

/** Minutes of history before `from` that incident detection uses as its baseline. */
export const BASELINE_WINDOW_MS = 30 * BUCKET_MS;
/** Normal traffic before `from` that span-level detection judges against. */
export const SPAN_BASELINE_MS = 10 * BUCKET_MS;
/** Whole traces sampled per incident and per baseline. */
export const SAMPLE_TRACES_MAX = 100;
/** Whole traces, spread evenly over time, that span-level detection reads at most. */
export const DETECTION_TRACES_MAX = 600;
/** Whole traces, spread over the incident and the normal before it, that the ranking reads. */
export const EXPLAIN_TRACES_MAX = 600;
/**
 * A slowdown without errors that no single place explains this well (best score below) is not
 * reported: latency that rose everywhere at once is the machine or the load, not a fault.
 */
export const LATENCY_INCIDENT_SCORE_MIN = 0.25;
/** Incidents analysed per answer (most recent first). */
export const INCIDENTS_MAX = 10;
/** An incident is ongoing only while its last bad minute is this recent. */
export const ONGOING_WITHIN_MS = 2 * BUCKET_MS;

export interface IncidentAnswer extends IncidentWindow {
  rootCauses: RootCause[];
}

/**
 * Lets requests that arrived meanwhile (most of them answered from the cache) run between the
 * analysis steps: each step is synchronous CPU work of tens of ms on a loaded machine.
 */
function yieldToRequests(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Detection {
  incidents: IncidentWindow[];
  /** The spread sample detection read: reused as the ranking's context. */
  sample: SpanRecord[];
}

async function detectAll(store: TraceStore, range: AggregateQuery, nowMs: number): Promise<Detection> {
  const [series, sample] = await Promise.all([
    store.entrySeries({ fromMs: range.fromMs - BASELINE_WINDOW_MS, toMs: range.toMs, namespace: range.namespace }),
    store.sampleSpans({ fromMs: range.fromMs - SPAN_BASELINE_MS, toMs: range.toMs, maxTraces: DETECTION_TRACES_MAX, prefer: 'spread', namespace: range.namespace }),
  ]);
  await yieldToRequests();
  const windows = [...entryWindows(series), ...spanWindows(sample, { fromMs: range.fromMs, nowMs })];
  const incidents = mergeServiceWindows(windows)
    .map((i) => (i.ongoing && nowMs - i.endMs > ONGOING_WITHIN_MS ? { ...i, ongoing: false } : i))
    .filter((i) => i.endMs >= range.fromMs && i.startMs <= range.toMs)
    .sort((a, b) => b.startMs - a.startMs)
    .slice(0, INCIDENTS_MAX);
  return { incidents, sample };
}

export async function detect(store: TraceStore, range: AggregateQuery, nowMs = Date.now()): Promise<IncidentWindow[]> {
  return (await detectAll(store, range, nowMs)).incidents;
}

function traceStarts(spans: readonly SpanRecord[]): Map<string, number> {
  const starts = new Map<string, number>();
  for (const s of spans) {
    const known = starts.get(s.traceId);
    if (known === undefined || s.startMs < known) starts.set(s.traceId, s.startMs);
  }
  return starts;
}

/** Spans of the traces that started in [fromMs, toMs], from any of the lists, each trace once. */
function tracesIn(lists: readonly (readonly SpanRecord[])[], fromMs: number, toMs: number): SpanRecord[] {
  const taken = new Set<string>();
  const out: SpanRecord[] = [];
  for (const list of lists) {
    const starts = traceStarts(list);
    const here = new Set<string>();
    for (const [id, start] of starts) if (start >= fromMs && start <= toMs && !taken.has(id)) here.add(id);
    for (const s of list) if (here.has(s.traceId)) out.push(s);
    for (const id of here) taken.add(id);
  }
  return out;
}

export async function explain(store: TraceStore, incident: IncidentWindow, context: readonly SpanRecord[] = [], namespace?: string): Promise<IncidentAnswer> {
  const [failing, recent, around] = await Promise.all([
    store.sampleSpans({ fromMs: incident.startMs, toMs: incident.endMs, maxTraces: SAMPLE_TRACES_MAX, namespace }),
    store.sampleSpans({ fromMs: incident.startMs - BASELINE_WINDOW_MS, toMs: incident.startMs - 1, maxTraces: SAMPLE_TRACES_MAX, prefer: 'recent', namespace }),
    // Rare operations need enough calls on both sides of the start to compare: a spread sample of just the incident and the normal before it.
    store.sampleSpans({ fromMs: incident.startMs - SPAN_BASELINE_MS, toMs: incident.endMs, maxTraces: EXPLAIN_TRACES_MAX, prefer: 'spread', namespace }),
  ]);
  // The spread samples add what a failing-first sample lacks: the window's calm requests and the normal before it.
  const spread = [...around, ...context];
  const spans = tracesIn([failing, spread], incident.startMs, incident.endMs);
  const baselineSpans = tracesIn([recent, spread], incident.startMs - BASELINE_WINDOW_MS, incident.startMs - 1);
  await yieldToRequests();
  return { ...incident, rootCauses: rankRootCauses({ spans, baselineSpans, entryServices: [] }) };
}

/** An answer is served while it reflects the store as it was at most this long ago, ms (see rootCausesCache.ts). */
export const ROOT_CAUSES_STALE_MS = 5_000;
/** A served answer older than this, ms, is recomputed in the background for the next request (at most one computation at a time). */
export const ROOT_CAUSES_REFRESH_AFTER_MS = 2_000;

const caches = new WeakMap<TraceStore, AnswerCache<IncidentAnswer, { incidents: IncidentAnswer[] }>>();

/**
 * rootCauses() memoised per store: concurrent and repeated requests for the same or a nearby
 * window (each end within ROOT_CAUSES_STALE_MS) share one computation made at most
 * ROOT_CAUSES_STALE_MS ago. A failed computation is not kept.
 */
export function cachedRootCauses(store: TraceStore, range: AggregateQuery, nowMs = Date.now()): Promise<{ incidents: IncidentAnswer[] }> {
  let cache = caches.get(store);
  if (!cache) {
    cache = new AnswerCache((r, now, scope) => rootCauses(store, { ...r, namespace: scope === '' ? undefined : scope }, now), { staleMs: ROOT_CAUSES_STALE_MS, refreshAfterMs: ROOT_CAUSES_REFRESH_AFTER_MS });
    caches.set(store, cache);
  }
  return cache.get({ fromMs: range.fromMs, toMs: range.toMs }, nowMs, range.namespace ?? '');
}

/** Whether an analysed incident is worth reporting: it has failures, or its slowness starts somewhere in particular. */
export function isReportable(answer: IncidentAnswer): boolean {
  if (answer.rootCauses.some((c) => c.failingRequests > 0)) return true;
  return (answer.rootCauses[0]?.score ?? 0) >= LATENCY_INCIDENT_SCORE_MIN;
}

export async function rootCauses(store: TraceStore, range: AggregateQuery, nowMs = Date.now()): Promise<{ incidents: IncidentAnswer[] }> {
  const { incidents, sample } = await detectAll(store, range, nowMs);
  const answers: IncidentAnswer[] = [];
  for (const incident of incidents) {
    const answer = await explain(store, incident, sample, range.namespace);
    if (isReportable(answer)) answers.push(answer);
  }
  // A step after every reported incident (or with none at all) that no detector caught is still a fault worth naming:
  // a modest but sustained step in one place's own time, or a service whose requests stopped part of their work.
  const afterMs = Math.max(range.fromMs, ...answers.map((a) => a.endMs + 1));
  await yieldToRequests();
  const onset = shiftOnset(sample, afterMs);
  const lost = lostWork(sample, afterMs);
  // Both: the earlier change is the likelier cause, the later one its consequence.
  if (onset && onset.startMs <= range.toMs && !(lost && lost.startMs < onset.startMs)) {
    const answer = await explain(store, onsetIncident(onset, nowMs - onset.endMs <= ONGOING_WITHIN_MS), sample, range.namespace);
    if (isReportable(answer)) answers.unshift(answer);
  } else if (lost && lost.startMs <= range.toMs) {
    // No timing or error names it: the service that stopped part of its own work comes first, then whatever else changed.
    const answer = await explain(store, lostWorkIncident(lost, nowMs - lost.endMs <= ONGOING_WITHIN_MS), sample, range.namespace);
    answers.unshift({ ...answer, rootCauses: [lostWorkCause(lost), ...answer.rootCauses.filter((c) => c.service !== lost.service)] });
  }
  return { incidents: answers };
}
