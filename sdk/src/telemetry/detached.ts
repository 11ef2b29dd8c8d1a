import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { getCorrelationId, newCorrelationId, runWithContext, sanitizeCorrelationId } from '../context/index.js';
import { ATTR_CORRELATION_ID } from './attributes.js';
import { writeTraceContext } from './traceparent.js';
import { getTracer } from './tracer.js';

/** `true` on the root span of work that no user request is waiting for (pollers, relays, saga steps). */
export const ATTR_BACKGROUND = 'faultline.background';
/** Trace id of the request that caused a piece of background work, when known. */
export const ATTR_ORIGIN_TRACE_ID = 'faultline.origin.trace_id';

/** Where detached work came from: a W3C `traceparent` string or a span context. */
export type DetachedOrigin = string | SpanContext;

export interface DetachedOptions {
  /**
   * The request that caused this work, e.g. a `traceparent` saved with a job
   * row by `getTraceparent()`. Missing or malformed: the work still runs, in a
   * new trace without a link. Default: none.
   */
  origin?: DetachedOrigin | null;
  /**
   * `link` (default): a new trace whose root span links to the origin, for work
   * that runs after the request ended (a poller, a retry minutes later).
   * `child`: continue the origin's trace, for work the request is still there for.
   */
  mode?: 'link' | 'child';
  /** Correlation id for calls made inside. Default: the current one, else a new one. */
  correlationId?: string;
  /** Extra attributes on the span. Default: none. */
  attributes?: Attributes;
  /** Span kind. Default INTERNAL. */
  kind?: SpanKind;
}

function originContext(origin: DetachedOrigin | null | undefined): SpanContext | undefined {
  if (origin === undefined || origin === null) return undefined;
  const sc = typeof origin === 'string' ? parseTraceParent(origin.trim()) : origin;
  return sc && isSpanContextValid(sc) ? sc : undefined;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

function settle(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : new Error(String(error)));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end();
}

/**
 * Runs background work that a request caused (a saga step from a poller, a
 * compensation, a scheduled retry) in its own span, connected to that request:
 * by default a new trace whose root span carries a span link to the origin,
 * `faultline.background=true` and `faultline.origin.trace_id`, so trace views
 * and root-cause analysis follow the work back to the request instead of
 * counting it as a new entry request. With `mode: 'child'` the span continues
 * the origin's trace instead.
 *
 * Either way `fn` runs without the caller's deadline (undoing work must not be
 * cut short by a caller who gave up), with the correlation id kept. The span
 * ends when `fn` returns or its promise settles; a throw or rejection marks it
 * failed and is passed on unchanged. `fn` may set its own status on the span.
 * @example
 * // In the request: save where the work came from.
 * db.prepare('INSERT INTO jobs (id, origin) VALUES (?, ?)').run(jobId, getTraceparent() ?? null);
 * // Later, in the poller:
 * await runDetached('job.refund', { origin: job.origin }, () => payments('/refunds', { method: 'POST', body }));
 */
export function runDetached<T>(name: string, options: DetachedOptions, fn: (span: Span) => T): T {
  const origin = originContext(options.origin);
  const mode = options.mode ?? 'link';
  const correlationId = sanitizeCorrelationId(options.correlationId) ?? getCorrelationId() ?? newCorrelationId();
  const attributes: Attributes = { ...options.attributes, [ATTR_CORRELATION_ID]: correlationId };
  let span: Span;
  if (origin && mode === 'child') {
    span = getTracer().startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, attributes },
      trace.setSpanContext(ROOT_CONTEXT, origin),
    );
  } else {
    attributes[ATTR_BACKGROUND] = true;
    const links: Link[] = [];
    if (origin) {
      attributes[ATTR_ORIGIN_TRACE_ID] = origin.traceId;
      links.push({ context: origin });
    }
    span = getTracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes, links, root: true });
  }
  let result: T;
  try {
    // ROOT_CONTEXT, not the active one: nothing of the caller's request leaks in.
    result = context.with(trace.setSpan(ROOT_CONTEXT, span), () => runWithContext({ correlationId }, () => fn(span)));
  } catch (e) {
    settle(span, e);
    throw e;
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (value) => {
        span.end();
        return value;
      },
      (e: unknown) => {
        settle(span, e);
        throw e;
      },
    ) as T;
  }
  span.end();
  return result;
}

/**
 * The current span's W3C `traceparent`, to store with work that will run
 * later (see `runDetached`); undefined outside a valid trace.
 * @example
 * const origin = getTraceparent(); // '00-<trace id>-<span id>-01'
 */
export function getTraceparent(): string | undefined {
  const sc = trace.getSpanContext(context.active());
  if (!sc || !isSpanContextValid(sc)) return undefined;
  const headers: Record<string, string> = {};
  writeTraceContext(headers, sc);
  return headers.traceparent;
}
