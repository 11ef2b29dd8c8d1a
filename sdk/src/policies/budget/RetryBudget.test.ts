import { describe, expect, it } from 'vitest';
import { RetryBudget } from './RetryBudget.js';

describe('RetryBudget', () => {
  it('allows the floor of minRetriesPerSecond at low traffic', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 10, windowMs: 10_000 }, () => 0);
    let granted = 0;
    for (let i = 0; i < 500; i++) if (budget.tryRetry(5_000)) granted++;
    expect(granted).toBe(100); // 10/s over a 10 s window
    expect(budget.exhausted).toBe(400);
  });

  it('caps retries at ratio of requests at high traffic', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 1, windowMs: 10_000 });
    for (let i = 0; i < 1000; i++) budget.recordRequest(1_000);
    let granted = 0;
    for (let i = 0; i < 1000; i++) if (budget.tryRetry(1_000)) granted++;
    expect(granted).toBe(200);
  });

  it('stays within the ratio under sustained 100% failure over a sliding window', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 0, windowMs: 10_000 });
    let requests = 0;
    let retries = 0;
    // 100 calls/s for 60 s, each wanting 2 retries.
    for (let ms = 0; ms < 60_000; ms += 10) {
      budget.recordRequest(ms);
      requests++;
      for (let r = 0; r < 2; r++) if (budget.tryRetry(ms)) retries++;
    }
    expect(retries / requests).toBeLessThanOrEqual(0.2 + 0.02);
    expect(retries / requests).toBeGreaterThan(0.15);
  });

  it('forgets retries once they leave the window', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 1, windowMs: 1_000 });
    expect(budget.tryRetry(0)).toBe(true);
    expect(budget.tryRetry(0)).toBe(false);
    expect(budget.tryRetry(1_100)).toBe(true);
  });
});
