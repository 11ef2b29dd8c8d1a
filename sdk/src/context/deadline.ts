export const DEADLINE_HEADER = 'x-request-deadline';

// Deadlines further ahead than this are treated as absent: nobody waits a day
// for an answer, and a huge value must not disable the local timeouts.
const DEADLINE_HORIZON_MS = 24 * 60 * 60 * 1000;
const DIGITS = /^\d{1,15}$/;

/**
 * Parses `x-request-deadline` (epoch ms). Malformed, non-positive or
 * absurdly far values yield undefined: the request then runs under local
 * timeouts only. A deadline in the past is returned as is, so that the
 * middleware can answer 504.
 */
export function parseDeadline(raw: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof raw !== 'string' || !DIGITS.test(raw)) return undefined;
  const value = Number(raw);
  if (value <= 0 || value > nowMs + DEADLINE_HORIZON_MS) return undefined;
  return value;
}
