import { channel } from 'node:diagnostics_channel';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { TimeoutScope } from '../errors/TimeoutError.js';
import { armTimeout } from '../policies/timeout/Timeout.js';
import type { ClientRuntime } from './ClientRuntime.js';

/** The outcome of one attempt, as data. */
export interface Attempt {
  response?: Response;
  error?: unknown;
  startMs: number;
  endMs: number;
}

export const BULKHEAD_FULL = Symbol('bulkhead full');

// Where the undici instrumentation (and any other fetch tracer) hooks in: the global fetch reports
// every request here. With nobody listening, no span can be made underneath, so the suppressed
// context (a context copy and an AsyncLocalStorage run per attempt) would change nothing.
const undiciRequestCreated = channel('undici:request:create');

/**
 * One attempt: bulkhead slot, attempt timer, fetch. Resolves with the
 * outcome as data (never rejects) so the retry loop classifies it cheaply.
 * A wait in the bulkhead queue counts toward the attempt's time limit.
 */
export async function runAttempt(
  rt: ClientRuntime,
  url: string,
  fetchInit: RequestInit,
  userSignal: AbortSignal | undefined,
  limitMs: number,
  reportedMs: number,
  scope: TimeoutScope,
): Promise<Attempt | typeof BULKHEAD_FULL> {
  const startMs = Date.now();
  if (userSignal?.aborted) return { error: userSignal.reason, startMs, endMs: startMs };
  const controller = new AbortController();
  const bulkhead = rt.state.bulkhead;
  let holdsSlot = bulkhead === undefined || bulkhead.tryAcquire();
  if (!holdsSlot && bulkhead!.queued >= bulkhead!.maxQueue) {
    bulkhead!.rejected++;
    return BULKHEAD_FULL;
  }
  const timer = armTimeout(controller, limitMs, scope, reportedMs, rt.target);
  let onUserAbort: (() => void) | undefined;
  if (userSignal) {
    onUserAbort = () => controller.abort(userSignal.reason);
    userSignal.addEventListener('abort', onUserAbort, { once: true });
  }
  try {
    if (!holdsSlot) {
      const waiting = bulkhead!.enqueue(controller.signal);
      if (waiting === undefined) return BULKHEAD_FULL;
      holdsSlot = await waiting;
      if (!holdsSlot) return { error: controller.signal.reason, startMs, endMs: Date.now() };
    }
    fetchInit.signal = controller.signal;
    // The CLIENT span of this call is ours: http/undici auto-instrumentation underneath must not
    // add a second one (nor overwrite the traceparent we set).
    const response =
      rt.usesGlobalFetch && !undiciRequestCreated.hasSubscribers
        ? await rt.fetchImpl(url, fetchInit)
        : await context.with(suppressTracing(context.active()), rt.fetchImpl, undefined, url, fetchInit);
    return { response, startMs, endMs: Date.now() };
  } catch (error) {
    return { error: controller.signal.aborted ? (controller.signal.reason as unknown) : error, startMs, endMs: Date.now() };
  } finally {
    clearTimeout(timer);
    if (holdsSlot && bulkhead !== undefined) bulkhead.release();
    if (onUserAbort) userSignal!.removeEventListener('abort', onUserAbort);
  }
}
