import { CircuitBreaker } from './breaker/CircuitBreaker.js';
import type { BreakerSnapshot } from './breaker/CircuitBreaker.js';
import { RetryBudget } from './budget/RetryBudget.js';
import { Bulkhead } from './bulkhead/Bulkhead.js';
import type { ResolvedPolicies } from './options.js';

/** The stateful policies of one target, shared by every client created for it. */
export interface TargetPolicies {
  readonly target: string;
  readonly policies: ResolvedPolicies;
  readonly breaker: CircuitBreaker | undefined;
  readonly budget: RetryBudget | undefined;
  readonly bulkhead: Bulkhead | undefined;
}

const registry = new Map<string, { fingerprint: string; state: TargetPolicies }>();

// Functions (fallback handlers) are per client; only the stateful part must match to share.
function fingerprintOf(p: ResolvedPolicies): string {
  return JSON.stringify({ ...p, fallback: undefined }, (_k, v: unknown) => (v instanceof Set ? [...v] : v));
}

/**
 * Returns the breaker, budget and bulkhead of `target`. Clients created for
 * the same target with the same policies share them, so two modules calling
 * `payments` see one breaker and one retry budget. A client with different
 * policies gets its own state, which then becomes the registered one.
 */
export function targetPolicies(target: string, policies: ResolvedPolicies): TargetPolicies {
  const fingerprint = fingerprintOf(policies);
  const existing = registry.get(target);
  if (existing && existing.fingerprint === fingerprint) return { ...existing.state, policies };
  const state: TargetPolicies = {
    target,
    policies,
    breaker: policies.breaker ? new CircuitBreaker(target, policies.breaker) : undefined,
    budget: policies.budget ? new RetryBudget(policies.budget) : undefined,
    bulkhead: policies.bulkhead ? new Bulkhead(policies.bulkhead) : undefined,
  };
  registry.set(target, { fingerprint, state });
  return state;
}

/**
 * State of every registered breaker, for health endpoints.
 * @example
 * app.get('/health', (_req, res) => res.json({ breakers: breakers() }));
 */
export function breakers(): BreakerSnapshot[] {
  const out: BreakerSnapshot[] = [];
  for (const { state } of registry.values()) if (state.breaker) out.push(state.breaker.snapshot());
  return out;
}

/** Finds the registered breaker of a target (to subscribe to its events). */
export function breakerOf(target: string): CircuitBreaker | undefined {
  return registry.get(target)?.state.breaker;
}
