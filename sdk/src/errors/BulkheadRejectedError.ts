import { FaultlineError, hasCode } from './FaultlineError.js';

/** The target's bulkhead and its queue are full: the call was rejected without being sent. */
export class BulkheadRejectedError extends FaultlineError {
  readonly target: string;

  constructor(target: string) {
    super('BULKHEAD_REJECTED', `bulkhead for ${target} is full`);
    this.target = target;
  }
}

export function isBulkheadRejectedError(error: unknown): error is BulkheadRejectedError {
  return hasCode(error, 'BULKHEAD_REJECTED');
}
