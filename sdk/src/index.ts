// Public API of @faultline/sdk. See ../README.md for options and defaults.
export { init, shutdown } from './init.js';
export type { InitOptions, FaultlineSdk, TracingMode } from './init.js';
export { middleware } from './http/middleware.js';
export type { MiddlewareOptions } from './http/middleware.js';
export { createClient, IDEMPOTENCY_HEADER } from './http/client.js';
export type { ClientOptions, CallOptions, FaultlineFetch, FaultlineRequestInit } from './http/client.js';
export {
  getCorrelationId,
  getDeadline,
  getDeadlineSignal,
  getContext,
  runWithContext,
  sanitizeCorrelationId,
  newCorrelationId,
  parseDeadline,
  CORRELATION_HEADER,
  DEADLINE_HEADER,
} from './context/index.js';
export type { RequestContext } from './context/index.js';
export { breakers, breakerOf } from './policies/registry.js';
export type { BreakerSnapshot, BreakerState, BreakerStateChange } from './policies/breaker/CircuitBreaker.js';
export type {
  PolicyOptions,
  TimeoutOptions,
  RetryOptions,
  BudgetOptions,
  BreakerOptions,
  BulkheadOptions,
  FallbackOptions,
  FallbackHandler,
  CallFailure,
} from './policies/options.js';
export * from './errors/index.js';
export type { Logger } from './telemetry/logger.js';
export { runDetached, getTraceparent, ATTR_BACKGROUND, ATTR_ORIGIN_TRACE_ID } from './telemetry/detached.js';
export type { DetachedOptions, DetachedOrigin } from './telemetry/detached.js';
export type { Disposable } from './events/Emitter.js';
export * from './idempotency/index.js';
export * from './chaos/index.js';
export { transaction, Transaction, recordConsistencyViolation, TX_EVENT, ATTR_TX_ID, ATTR_TX_TYPE, ATTR_TX_STEP, ATTR_VIOLATION } from './transactions/transaction.js';
export type { TransactionRef, StepOptions } from './transactions/transaction.js';
