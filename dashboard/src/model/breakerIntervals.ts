// Circuit-breaker state timelines from `breaker.state` span events
// (faultline.breaker, faultline.from, faultline.to).
import type { AttrValue, Trace } from '../api/types.js';
import type { TimeWindow } from './timeRange.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerTransition {
  breaker: string;
  service: string;
  timeMs: number;
  from: BreakerState;
  to: BreakerState;
}

export interface BreakerInterval {
  state: BreakerState;
  startMs: number;
  endMs: number;
}

export interface BreakerTimeline {
  breaker: string;
  service: string;
  intervals: BreakerInterval[];
  transitions: number;
  /** Share of the window spent not closed, 0..1. */
  openShare: number;
}

export function normaliseState(v: AttrValue | undefined): BreakerState | null {
  if (typeof v !== 'string') return null;
  const s = v.toLowerCase().replace(/[_\s]/g, '-');
  if (s === 'closed' || s === 'open' || s === 'half-open') return s;
  if (s === 'halfopen') return 'half-open';
  if (s === 'isolated') return 'open';
  return null;
}

/** Pulls breaker transitions out of traces, optionally only those recorded by one service. */
export function extractBreakerTransitions(traces: readonly Trace[], service?: string): { result: BreakerTransition[]; warnings: string[] } {
  const warnings: string[] = [];
  const seen = new Set<string>();
  const out: BreakerTransition[] = [];
  for (const t of traces)
    for (const s of t.spans) {
      if (service !== undefined && s.service !== service) continue;
      for (const e of s.events) {
        if (e.name !== 'breaker.state') continue;
        const from = normaliseState(e.attributes['faultline.from']);
        const to = normaliseState(e.attributes['faultline.to']);
        if (!from || !to) {
          warnings.push(`breaker.state event at ${e.timeMs} in span ${s.spanId} has unknown states`);
          continue;
        }
        const peer = s.attributes['peer.service'];
        const name = e.attributes['faultline.breaker'];
        const breaker = typeof name === 'string' && name ? name : typeof peer === 'string' && peer ? peer : 'breaker';
        const key = `${s.service}|${breaker}|${e.timeMs}|${from}|${to}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ breaker, service: s.service, timeMs: e.timeMs, from, to });
      }
    }
  out.sort((a, b) => a.timeMs - b.timeMs || a.breaker.localeCompare(b.breaker));
  return { result: out, warnings };
}

/**
 * One timeline per breaker covering `window`. Before the first transition the
 * breaker is taken to be in that transition's `from` state; a transition whose
 * `from` disagrees with the running state is kept (events can be sampled) with a warning.
 */
export function breakerTimelines(transitions: readonly BreakerTransition[], window: TimeWindow): { result: BreakerTimeline[]; warnings: string[] } {
  const warnings: string[] = [];
  const groups = new Map<string, BreakerTransition[]>();
  for (const t of transitions) {
    const key = `${t.service}\u0000${t.breaker}`;
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  const span = Math.max(1, window.toMs - window.fromMs);
  const result: BreakerTimeline[] = [];
  for (const list of groups.values()) {
    const sorted = [...list].sort((a, b) => a.timeMs - b.timeMs);
    const first = sorted[0]!;
    let state: BreakerState = first.from;
    let cursor = window.fromMs;
    const intervals: BreakerInterval[] = [];
    const push = (s: BreakerState, a: number, b: number) => {
      const start = Math.max(a, window.fromMs);
      const end = Math.min(b, window.toMs);
      if (end <= start) return;
      const last = intervals.at(-1);
      if (last && last.state === s && last.endMs === start) last.endMs = end;
      else intervals.push({ state: s, startMs: start, endMs: end });
    };
    for (const t of sorted) {
      if (t.from !== state) warnings.push(`${first.breaker}: transition ${t.from} → ${t.to} at ${t.timeMs} while ${state}`);
      push(state, cursor, t.timeMs);
      state = t.to;
      cursor = Math.max(cursor, t.timeMs);
    }
    push(state, cursor, window.toMs);
    const notClosed = intervals.filter((i) => i.state !== 'closed').reduce((sum, i) => sum + (i.endMs - i.startMs), 0);
    result.push({ breaker: first.breaker, service: first.service, intervals, transitions: sorted.length, openShare: notClosed / span });
  }
  result.sort((a, b) => b.openShare - a.openShare || a.breaker.localeCompare(b.breaker));
  return { result, warnings };
}

export interface BreakerSampleOptions {
  /** Failures closer than this belong to one episode. Default 30 000. */
  episodeGapMs?: number;
  /** Failing traces read at the start of each episode (where breakers open). Default 10. */
  openTraces?: number;
  /** Traces read around each episode's last failure (where breakers close): ms before / after. Default 2 000 / 3 000. */
  closeBeforeMs?: number;
  closeAfterMs?: number;
}

/**
 * Which traces to read for breaker events when they cannot all be read. Breakers
 * open a few failures into an episode, close on a success around its end, and
 * probe (half-open) in between. So, in this order until `max`: the first failures
 * of each episode, the traces around each episode's end (nearest first), the
 * newest traces, then an even spread over the failures. Returns ids, oldest first.
 */
export function pickBreakerSample(traces: readonly { traceId: string; startMs: number; failed: boolean }[], max: number, options: BreakerSampleOptions = {}): string[] {
  const byStart = [...traces].sort((a, b) => a.startMs - b.startMs || a.traceId.localeCompare(b.traceId));
  const limit = Math.max(0, Math.floor(max));
  if (byStart.length <= limit) return byStart.map((t) => t.traceId);
  const failing = byStart.filter((t) => t.failed);
  const episodes = failureEpisodes(failing.map((t) => t.startMs), options.episodeGapMs ?? 30_000);
  const picked = new Set<string>();
  const add = (id: string) => {
    if (picked.size < limit) picked.add(id);
  };
  const openTraces = options.openTraces ?? 10;
  for (const e of episodes) for (const t of failing.filter((f) => f.startMs >= e.startMs).slice(0, openTraces)) add(t.traceId);
  const before = options.closeBeforeMs ?? 2000;
  const after = options.closeAfterMs ?? 3000;
  for (const e of episodes) {
    const near = byStart.filter((t) => t.startMs >= e.endMs - before && t.startMs <= e.endMs + after).sort((a, b) => Math.abs(a.startMs - e.endMs) - Math.abs(b.startMs - e.endMs));
    for (const t of near.slice(0, Math.ceil(limit / (2 * Math.max(1, episodes.length))))) add(t.traceId);
  }
  for (const t of byStart.slice(Math.max(0, byStart.length - Math.ceil(limit / 10)))) add(t.traceId);
  const pool = failing.length > 0 ? failing : byStart;
  // Finer spreads until full: some positions land on traces already picked.
  for (let spread = limit - picked.size; picked.size < limit && spread <= 4 * pool.length; spread *= 2) {
    for (let i = 0; i < spread; i++) add(pool[Math.floor(((i + 0.5) * pool.length) / spread)]!.traceId);
  }
  return byStart.filter((t) => picked.has(t.traceId)).map((t) => t.traceId);
}

/** Groups failure times into episodes separated by at least `gapMs` without a failure. */
export function failureEpisodes(timesMs: readonly number[], gapMs: number): { startMs: number; endMs: number; count: number }[] {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const out: { startMs: number; endMs: number; count: number }[] = [];
  for (const t of sorted) {
    const last = out.at(-1);
    if (last && t - last.endMs < gapMs) {
      last.endMs = t;
      last.count += 1;
    } else out.push({ startMs: t, endMs: t, count: 1 });
  }
  return out;
}
