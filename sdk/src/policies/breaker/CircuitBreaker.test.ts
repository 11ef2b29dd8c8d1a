import { describe, expect, it } from 'vitest';
import { resolvePolicies } from '../options.js';
import type { BreakerOptions } from '../options.js';
import { CircuitBreaker, Permit } from './CircuitBreaker.js';
import type { BreakerStateChange } from './CircuitBreaker.js';

function make(options: BreakerOptions) {
  let now = 1_000_000;
  const breaker = new CircuitBreaker('payments', resolvePolicies({ breaker: options }).breaker!, () => now);
  const changes: Array<[string, string]> = [];
  breaker.onStateChange((c: BreakerStateChange) => changes.push([c.from, c.to]));
  const call = (ok: boolean, durationMs = 1): Permit => {
    const permit = breaker.tryAcquire();
    if (permit !== Permit.Rejected) breaker.record(permit, ok, durationMs);
    return permit;
  };
  return { breaker, changes, call, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, a success in between resets the count', () => {
    const { breaker, call } = make({ consecutiveFailures: 3 });
    call(false);
    call(false);
    call(true);
    call(false);
    call(false);
    expect(breaker.currentState).toBe('closed');
    call(false);
    expect(breaker.currentState).toBe('open');
    expect(call(true)).toBe(Permit.Rejected);
  });

  it('opens on more than 50% failures over a window once it holds at least minCalls calls', () => {
    const { breaker, call } = make({ mode: 'ratio', failureRatio: 0.5, windowSize: 20, minCalls: 10 });
    for (let i = 0; i < 9; i++) call(false);
    expect(breaker.currentState).toBe('closed'); // 9 calls < minCalls
    for (let i = 0; i < 8; i++) call(true);
    expect(breaker.currentState).toBe('closed'); // 9/17 failed, but the check runs on failures only
    call(false);
    expect(breaker.currentState).toBe('open'); // 10/18 > 50%
  });

  it('stays closed at exactly the ratio', () => {
    const { breaker, call } = make({ mode: 'ratio', failureRatio: 0.5, windowSize: 20, minCalls: 20 });
    for (let i = 0; i < 10; i++) call(true);
    for (let i = 0; i < 10; i++) call(false);
    expect(breaker.currentState).toBe('closed');
    call(false); // window slides: 11 of 20 failed
    expect(breaker.currentState).toBe('open');
  });

  it('counts slow calls as failures', () => {
    const { breaker, call } = make({ consecutiveFailures: 2, slowCallMs: 100 });
    call(true, 150);
    call(true, 150);
    expect(breaker.currentState).toBe('open');
  });

  it('half-opens after halfOpenAfterMs and closes when the probe succeeds', () => {
    const { breaker, call, advance, changes } = make({ consecutiveFailures: 1, halfOpenAfterMs: 5000 });
    call(false);
    advance(4999);
    expect(call(true)).toBe(Permit.Rejected);
    advance(1);
    expect(call(true)).toBe(Permit.Probe);
    expect(breaker.currentState).toBe('closed');
    expect(changes).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'closed'],
    ]);
  });

  it('re-opens when the probe fails, and waits the full delay again', () => {
    const { breaker, call, advance } = make({ consecutiveFailures: 1, halfOpenAfterMs: 1000 });
    call(false);
    advance(1000);
    expect(call(false)).toBe(Permit.Probe);
    expect(breaker.currentState).toBe('open');
    advance(999);
    expect(call(true)).toBe(Permit.Rejected);
    advance(1);
    expect(call(true)).toBe(Permit.Probe);
    expect(breaker.currentState).toBe('closed');
  });

  it('lets exactly halfOpenProbes probes through and closes only when all succeed', () => {
    const { breaker, advance, call } = make({ consecutiveFailures: 1, halfOpenAfterMs: 10, halfOpenProbes: 2 });
    call(false);
    advance(10);
    const p1 = breaker.tryAcquire();
    const p2 = breaker.tryAcquire();
    expect([p1, p2]).toEqual([Permit.Probe, Permit.Probe]);
    expect(breaker.tryAcquire()).toBe(Permit.Rejected);
    breaker.record(p1, true, 1);
    expect(breaker.currentState).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(Permit.Rejected);
    breaker.record(p2, true, 1);
    expect(breaker.currentState).toBe('closed');
  });

  it('gives an unused probe back on release', () => {
    const { breaker, advance, call } = make({ consecutiveFailures: 1, halfOpenAfterMs: 10 });
    call(false);
    advance(10);
    const p = breaker.tryAcquire();
    expect(breaker.tryAcquire()).toBe(Permit.Rejected);
    breaker.release(p);
    expect(breaker.tryAcquire()).toBe(Permit.Probe);
  });

  it('ignores outcomes of calls that started before it opened', () => {
    const { breaker, call } = make({ consecutiveFailures: 1 });
    const early = breaker.tryAcquire();
    call(false);
    breaker.record(early, true, 1);
    expect(breaker.currentState).toBe('open');
  });

  it('reports a snapshot for health endpoints', () => {
    const { breaker, call } = make({ consecutiveFailures: 3 });
    call(false);
    call(false);
    expect(breaker.snapshot()).toMatchObject({ target: 'payments', state: 'closed', failures: 2, mode: 'consecutive' });
  });
});
