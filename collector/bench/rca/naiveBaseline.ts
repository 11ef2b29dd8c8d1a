// The naive root-cause baseline of the dataset READMEs: per (service, operation) self-time
// z-score of the spans after the fault against the spans before it, with the gap between a
// caller's CLIENT span and the callee's SERVER span charged to the callee. Services are
// ranked by their largest z. Pure: reads spans, never mutates them, no I/O.
import type { SpanRecord } from '../../src/model.js';

export interface NaiveBaselineOptions {
  /** Spans that start at or after this epoch ms are "after"; the rest are the baseline. */
  splitMs: number;
  /** A key needs at least this many baseline spans to be scored. Default 3. */
  baselineSamplesMin?: number;
  /** A key needs at least this many spans after the split to be scored. Default 1. */
  afterSamplesMin?: number;
  /** Floor of the baseline standard deviation, in ms, so a constant baseline does not divide by 0. Default 0.1. */
  stdFloorMs?: number;
}

export interface NaiveRanked {
  service: string;
  /** Largest z-score among the service's keys. */
  z: number;
  /** The key (operation, or `gap <caller op>` for a client→server gap) that gave it. */
  operation: string;
}

/** Time of `span` covered by none of its children (children clipped to the span). */
function selfTimeMs(span: SpanRecord, children: readonly SpanRecord[]): number {
  if (children.length === 0) return span.durationMs;
  const intervals = children
    .map((c) => [Math.max(c.startMs, span.startMs), Math.min(c.endMs, span.endMs)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of intervals) {
    if (a > curEnd) {
      if (curEnd > curStart) covered += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else if (b > curEnd) curEnd = b;
  }
  if (curEnd > curStart) covered += curEnd - curStart;
  return Math.max(0, span.durationMs - covered);
}

/**
 * One sample per span: its self-time, keyed by (owner service, operation). A span whose
 * children all run in other services (a call) is a gap: its self-time is network, queueing
 * or a starved callee, so it is charged to the callee under `gap <operation>`.
 */
export function selfTimeSamples(spans: readonly SpanRecord[]): { service: string; operation: string; startMs: number; selfMs: number }[] {
  const children = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    if (!s.parentSpanId) continue;
    const key = `${s.traceId}/${s.parentSpanId}`;
    const list = children.get(key);
    if (list) list.push(s);
    else children.set(key, [s]);
  }
  const out: { service: string; operation: string; startMs: number; selfMs: number }[] = [];
  for (const s of spans) {
    const kids = children.get(`${s.traceId}/${s.spanId}`) ?? [];
    const remote = kids.filter((k) => k.service !== s.service);
    const isCall = kids.length > 0 && remote.length === kids.length;
    const callees = [...new Set(remote.map((k) => k.service))];
    const service = isCall && callees.length === 1 ? callees[0]! : s.service;
    const operation = isCall && callees.length === 1 ? `gap ${s.service}:${s.name}` : s.name;
    out.push({ service, operation, startMs: s.startMs, selfMs: selfTimeMs(s, kids) });
  }
  return out;
}

interface Moments {
  n: number;
  sum: number;
  sumSq: number;
}

/** Services ranked by their largest self-time z-score, best first; services with no scorable key last (z = 0). */
export function naiveBaseline(spans: readonly SpanRecord[], options: NaiveBaselineOptions): NaiveRanked[] {
  const baselineMin = options.baselineSamplesMin ?? 3;
  const afterMin = options.afterSamplesMin ?? 1;
  const stdFloorMs = options.stdFloorMs ?? 0.1;
  const before = new Map<string, Moments>();
  const after = new Map<string, Moments>();
  const services = new Set<string>();
  for (const x of selfTimeSamples(spans)) {
    services.add(x.service);
    const key = `${x.service}\u0000${x.operation}`;
    const side = x.startMs < options.splitMs ? before : after;
    const m = side.get(key) ?? { n: 0, sum: 0, sumSq: 0 };
    m.n++;
    m.sum += x.selfMs;
    m.sumSq += x.selfMs * x.selfMs;
    side.set(key, m);
  }
  const best = new Map<string, NaiveRanked>();
  for (const s of services) best.set(s, { service: s, z: 0, operation: '' });
  for (const [key, a] of after) {
    const b = before.get(key);
    if (!b || b.n < baselineMin || a.n < afterMin) continue;
    const mean = b.sum / b.n;
    const std = Math.max(stdFloorMs, Math.sqrt(Math.max(0, b.sumSq / b.n - mean * mean)));
    const z = (a.sum / a.n - mean) / std;
    const [service, operation] = key.split('\u0000') as [string, string];
    if (z > best.get(service)!.z) best.set(service, { service, z, operation });
  }
  return [...best.values()].sort((x, y) => y.z - x.z || x.service.localeCompare(y.service));
}
