import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rateLimit.js';

describe('TokenBucket', () => {
  it('admits the burst, then sheds until tokens refill at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    expect(bucket.retryAfterSeconds()).toBe(1);
    now += 100; // one token per 100 ms at 10/s
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it('never stores more than the burst', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 2, () => now);
    now += 60_000;
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, false]);
  });

  it('rejects a nonsensical configuration', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(/ratePerSecond/);
    expect(() => new TokenBucket(1, 0)).toThrow(/burst/);
  });
});
