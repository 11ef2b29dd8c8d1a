export { FaultlineError, isFaultlineError } from './FaultlineError.js';
export { ConfigError, isConfigError } from './ConfigError.js';
export { TimeoutError, isTimeoutError } from './TimeoutError.js';
export type { TimeoutScope } from './TimeoutError.js';
export { BrokenCircuitError, isBrokenCircuitError } from './BrokenCircuitError.js';
export { BudgetExhaustedError, isBudgetExhaustedError } from './BudgetExhaustedError.js';
export { BulkheadRejectedError, isBulkheadRejectedError } from './BulkheadRejectedError.js';
