const SECONDS = /^\d{1,10}$/;

/**
 * Parses `Retry-After` (delta seconds or an HTTP date) into a delay in ms.
 * Garbage yields undefined: the backoff alone then decides.
 */
export function parseRetryAfterMs(raw: string | null, nowMs: number = Date.now()): number | undefined {
  if (raw === null) return undefined;
  const value = raw.trim();
  if (value.length === 0 || value.length > 64) return undefined;
  if (SECONDS.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
