import { fullJitterGenerator } from 'cockatiel';

/**
 * Delay before retry number `retry` (1-based): full jitter over an
 * exponential ceiling, drawn by cockatiel's generator so the curve matches
 * its ExponentialBackoff exactly.
 */
export function fullJitterDelayMs(retry: number, initialDelayMs: number, maxDelayMs: number): number {
  const [delay] = fullJitterGenerator(retry - 1, { initialDelay: initialDelayMs, maxDelay: maxDelayMs, exponent: 2, generator: fullJitterGenerator });
  return delay;
}
