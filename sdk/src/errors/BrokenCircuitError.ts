import { FaultlineError, hasCode } from './FaultlineError.js';

/** The target's circuit breaker is open: the call was rejected without being sent. */
export class BrokenCircuitError extends FaultlineError {
  readonly target: string;

  constructor(target: string) {
    super('BROKEN_CIRCUIT', `circuit breaker for ${target} is open`);
    this.target = target;
  }
}

export function isBrokenCircuitError(error: unknown): error is BrokenCircuitError {
  return hasCode(error, 'BROKEN_CIRCUIT');
}
