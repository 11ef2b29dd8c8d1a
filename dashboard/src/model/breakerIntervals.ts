// Circuit-breaker state timelines from the collector's breaker transitions (/api/breakers,
// recorded at ingest from `breaker.state` span events).
import type { AttrValue, Breaker } from '../api/types.js';
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

/**
 * Transitions from /api/breakers that concern `service`: breakers it holds and breakers
 * its callers hold around calls to it. States the dashboard does not know are skipped with a warning.
 */
export function breakerTransitions(breakers: readonly Breaker[], service: string): { result: BreakerTransition[]; warnings: string[] } {
  const warnings: string[] = [];
  const out: BreakerTransition[] = [];
  for (const b of breakers) {
    if (b.service !== service && b.target !== service && b.breaker !== service) continue;
    for (const t of b.transitions) {
      const from = normaliseState(t.from);
      const to = normaliseState(t.to);
      if (!from || !to) {
        warnings.push(`breaker ${b.breaker} of ${b.service}: unknown state at ${t.timeMs} (${t.from} → ${t.to})`);
        continue;
      }
      out.push({ breaker: b.breaker, service: b.service, timeMs: t.timeMs, from, to });
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
