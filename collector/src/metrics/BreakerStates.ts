// Latest circuit-breaker state per (service, breaker, target), from the SDK's `breaker.state`
// span events (faultline.breaker, faultline.from, faultline.to) seen at ingest. Kept in memory:
// after a restart a breaker is unknown until its next transition.
import { calleeHint } from '../analysis/index.js';
import { RESILIENCE_EVENTS, type SpanRecord } from '../model.js';

export type BreakerStateName = 'closed' | 'half-open' | 'open';

export interface BreakerState {
  service: string;
  breaker: string;
  target: string;
  state: BreakerStateName;
  /** Time of the transition event. */
  sinceMs: number;
}

/** faultline_breaker_state values. */
export const BREAKER_GAUGE: Readonly<Record<BreakerStateName, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** Breakers remembered at most; past it the least recently changed one is forgotten. */
export const BREAKERS_MAX = 10_000;

function normalise(raw: unknown): BreakerStateName | null {
  const s = String(raw ?? '').toLowerCase().replace(/[_ ]/g, '-');
  if (s === 'closed' || s === 'open' || s === 'half-open') return s;
  if (s === 'halfopen') return 'half-open';
  return null;
}

export class BreakerStates {
  private readonly states = new Map<string, BreakerState>();

  observe(spans: readonly SpanRecord[]): void {
    for (const span of spans) {
      for (const event of span.events) {
        if (event.name !== RESILIENCE_EVENTS.breakerState) continue;
        const state = normalise(event.attributes['faultline.to']);
        if (!state) continue;
        const breaker = String(event.attributes['faultline.breaker'] ?? calleeHint(span) ?? 'default').slice(0, 256);
        const target = (calleeHint(span) ?? breaker).slice(0, 256);
        const key = `${span.service}\u0000${breaker}\u0000${target}`;
        const prev = this.states.get(key);
        if (prev && prev.sinceMs > event.timeMs) continue; // an older event arriving late
        this.states.delete(key); // re-insert: Map order is least recently changed first
        this.states.set(key, { service: span.service, breaker, target, state, sinceMs: event.timeMs });
        if (this.states.size > BREAKERS_MAX) this.states.delete(this.states.keys().next().value!);
      }
    }
  }

  list(): BreakerState[] {
    return [...this.states.values()];
  }
}
