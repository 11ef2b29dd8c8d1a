import { FaultlineError, hasCode } from './FaultlineError.js';

export type TimeoutScope = 'attempt' | 'total';

/** A call or one of its attempts ran past its time limit and was aborted. */
export class TimeoutError extends FaultlineError {
  readonly scope: TimeoutScope;
  readonly timeoutMs: number;

  constructor(scope: TimeoutScope, timeoutMs: number, target?: string) {
    super('TIMEOUT', `${scope} timeout of ${timeoutMs} ms exceeded${target ? ` calling ${target}` : ''}`);
    this.scope = scope;
    this.timeoutMs = timeoutMs;
  }
}

export function isTimeoutError(error: unknown): error is TimeoutError {
  return hasCode(error, 'TIMEOUT');
}
