import { AsyncLocalStorage } from 'node:async_hooks';

export { CORRELATION_HEADER, newCorrelationId, sanitizeCorrelationId } from './correlationId.js';
export { DEADLINE_HEADER, parseDeadline } from './deadline.js';

/** What the SDK carries along one inbound request (or one consumed message). */
export interface RequestContext {
  /** Sanitised correlation id, sent on every outbound call. */
  readonly correlationId: string;
  /** Epoch ms after which the caller no longer waits for an answer. */
  readonly deadlineMs?: number;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Runs `fn` with `ctx` as the current request context: calls made through the
 * SDK inside it carry its correlation id and remaining deadline.
 * @example
 * runWithContext({ correlationId: 'job-42', deadlineMs: Date.now() + 5000 }, () => client('/orders'));
 */
export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function getContext(): RequestContext | undefined {
  return storage.getStore();
}

/**
 * The current request's correlation id, for logs; undefined outside a request.
 * @example
 * logger.info({ correlationId: getCorrelationId() }, 'order placed');
 */
export function getCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/**
 * The current request's deadline in epoch ms; undefined when none was set.
 * @example
 * const leftMs = (getDeadline() ?? Infinity) - Date.now();
 * if (leftMs < 50) return res.status(504).end(); // not worth starting
 */
export function getDeadline(): number | undefined {
  return storage.getStore()?.deadlineMs;
}

/**
 * An AbortSignal that aborts when the current request's deadline passes, for
 * work the SDK does not see (a database query, a computation loop); undefined
 * without a deadline.
 * @example
 * await db.query({ text: sql, signal: getDeadlineSignal() });
 */
export function getDeadlineSignal(): AbortSignal | undefined {
  const deadlineMs = storage.getStore()?.deadlineMs;
  if (deadlineMs === undefined) return undefined;
  return AbortSignal.timeout(Math.max(0, deadlineMs - Date.now()));
}
