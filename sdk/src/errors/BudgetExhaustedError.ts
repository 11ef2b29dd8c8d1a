import { FaultlineError, hasCode } from './FaultlineError.js';

/**
 * A retry was wanted but the target's retry budget is spent. Only raised when
 * the failed attempt ended in an error; a failed Response is returned as is.
 */
export class BudgetExhaustedError extends FaultlineError {
  readonly target: string;

  constructor(target: string, options?: { cause?: unknown }) {
    super('BUDGET_EXHAUSTED', `retry budget for ${target} is exhausted`, options);
    this.target = target;
  }
}

export function isBudgetExhaustedError(error: unknown): error is BudgetExhaustedError {
  return hasCode(error, 'BUDGET_EXHAUSTED');
}
