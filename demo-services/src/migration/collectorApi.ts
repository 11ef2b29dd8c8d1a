import type { SeriesPoint } from './canary.js';

const TIMEOUT_MS = 5000;

export interface EdgeQuery {
  source: string;
  target: string;
  fromMs: number;
  toMs: number;
  /** `service.namespace` of one run, so a shared collector's other shops do not count. */
  namespace?: string;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function toPoint(raw: unknown, fallbackStartMs: number): SeriesPoint {
  const p = (raw ?? {}) as Record<string, unknown>;
  return { startMs: typeof p.startMs === 'number' ? p.startMs : fallbackStartMs, requests: num(p.requests), errors: num(p.errors), p99Ms: num(p.p99Ms) };
}

/**
 * Calls from `source` to `target` per minute, read from the collector's
 * `GET /api/series?source&target` (the contract's query API). A collector
 * that predates `/api/series` (404) is read through `/api/graph` for the same
 * window instead, as one point: the canary only needs cumulative figures.
 */
export async function readEdgeSeries(collectorUrl: string, q: EdgeQuery): Promise<SeriesPoint[]> {
  const params = new URLSearchParams({ source: q.source, target: q.target, from: String(q.fromMs), to: String(q.toMs), stepMs: '60000' });
  if (q.namespace) params.set('namespace', q.namespace);
  const res = await fetch(`${collectorUrl}/api/series?${params}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (res.ok) {
    const body = (await res.json()) as { points?: unknown[] };
    return (body.points ?? []).map((p) => toPoint(p, q.fromMs)).filter((p) => p.requests > 0);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status !== 404) throw new Error(`collector answered ${res.status} to /api/series`);
  const graph = await fetch(`${collectorUrl}/api/graph?from=${q.fromMs}&to=${q.toMs}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!graph.ok) throw new Error(`collector answered ${graph.status} to /api/graph`);
  const body = (await graph.json()) as { edges?: { source?: string; target?: string }[] };
  const edge = body.edges?.find((e) => e.source === q.source && e.target === q.target);
  return edge ? [toPoint({ ...edge, startMs: q.fromMs }, q.fromMs)] : [];
}

export interface Annotation {
  kind: string;
  text: string;
  service?: string;
  timeMs?: number;
  /** The run's `service.namespace`, so the marker shows with that run's data. */
  namespace?: string;
  attributes?: Record<string, string | number | boolean>;
}

/**
 * Records a marker on the collector's timeline (`POST /api/annotations`).
 * Best effort: a collector that cannot take it must not stop a migration, so
 * failures are returned, not thrown.
 */
export async function postAnnotation(collectorUrl: string, a: Annotation): Promise<{ ok: boolean; error?: string }> {
  try {
    const res = await fetch(`${collectorUrl}/api/annotations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timeMs: a.timeMs ?? Date.now(), ...a, text: a.text.slice(0, 1000) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    return res.status === 201 ? { ok: true } : { ok: false, error: `HTTP ${res.status} ${text.slice(0, 200)}` };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** Whether a collector answers its query API at this URL. */
export async function collectorAnswers(collectorUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${collectorUrl}/api/services`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
