import { TimeoutError } from '../../errors/TimeoutError.js';
import type { TimeoutScope } from '../../errors/TimeoutError.js';

/** The time limit of one attempt: the attempt timeout, or what is left of the total one. */
export interface AttemptLimit {
  /** ms the attempt may run. */
  limitMs: number;
  /** Which limit it is: the attempt timeout, or the remainder of the total (or inbound deadline). */
  scope: TimeoutScope;
  /** ms reported in TimeoutError and the `timeout` event: a total expiry reports the call's whole limit. */
  reportedMs: number;
}

export function attemptLimit(attemptTimeoutMs: number, remainingMs: number, callStartMs: number, endMs: number): AttemptLimit {
  const scope: TimeoutScope = attemptTimeoutMs < remainingMs ? 'attempt' : 'total';
  return {
    limitMs: scope === 'attempt' ? attemptTimeoutMs : remainingMs,
    scope,
    reportedMs: scope === 'attempt' ? attemptTimeoutMs : endMs - callStartMs,
  };
}

// Module-level so that arming a timer allocates no closure per attempt.
function abortWithTimeout(controller: AbortController, scope: TimeoutScope, reportedMs: number, target: string): void {
  controller.abort(new TimeoutError(scope, reportedMs, target));
}

/** Aborts `controller` with a TimeoutError after `limitMs`; returns the timer to clear. */
export function armTimeout(controller: AbortController, limitMs: number, scope: TimeoutScope, reportedMs: number, target: string): NodeJS.Timeout {
  return setTimeout(abortWithTimeout, limitMs, controller, scope, reportedMs, target);
}

/** The TimeoutError of a call whose total limit (or inbound deadline) passed between attempts. */
export function totalTimeout(totalMs: number, target: string): TimeoutError {
  return new TimeoutError('total', totalMs, target);
}
