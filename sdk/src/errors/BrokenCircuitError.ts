import { FaultlineError, hasCode } from './FaultlineError.js';

/** The target's circuit breaker is open: the call was rejected without being sent. */
export class BrokenCircuitError extends FaultlineError {
  readonly target: string;

  constructor(target: string) {
    // During an incident every call to the target ends here: skip the stack
    // capture, which would be most of the cost of a rejection and says
    // nothing the target name does not.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super('BROKEN_CIRCUIT', `circuit breaker for ${target} is open`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.target = target;
  }
}

export function isBrokenCircuitError(error: unknown): error is BrokenCircuitError {
  return hasCode(error, 'BROKEN_CIRCUIT');
}
