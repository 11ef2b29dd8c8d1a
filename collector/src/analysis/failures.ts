// When a request failed, and which of its children carried the failure, in
// any instrumentation: framework middleware, handler wrappers and manual spans
// sit between a server span and its failing call with their status unset, and
// some frameworks show a failure only as an error-handler span.
import type { SpanRecord } from '../model.js';
import { httpStatusCode } from './semconv.js';
import { failed, type TraceIndex } from './traceIndex.js';

/** Spans looked through below one span at most (bounds a pathological trace). */
const LOOK_THROUGH_SPANS_MAX = 512;

/** Names that error handlers give their spans: Spring's `BasicErrorController`, an `/error` route, `errorHandler` middleware. */
const ERROR_HANDLER_NAME = /(^|[^a-z])error([^a-z]|$)|errorcontroller|error[_ ]?handler|exception[_ ]?handler/i;

function isErrorHandlerSpan(span: SpanRecord): boolean {
  if (span.status === 'ok') return false;
  const route = span.attributes['http.route'];
  if (typeof route === 'string' && /^\/?error$/i.test(route)) return true;
  return ERROR_HANDLER_NAME.test(span.name);
}

function hasExceptionEvent(span: SpanRecord): boolean {
  for (const e of span.events) if (e.name === 'exception') return true;
  return false;
}

/** A span that can stand between a request and its failing work without saying so: same service, not a call, status unset. */
function isTransparent(ix: TraceIndex, c: number, service: string): boolean {
  const span = ix.spans[c]!;
  return ix.caller[c] === 0 && span.status === 'unset' && span.service === service && span.kind !== 'server' && span.kind !== 'consumer';
}

/**
 * Whether the request that span `i` stands for failed: the span failed by its
 * own status or protocol signal; or, with its status unset and no HTTP status
 * saying otherwise, it recorded an exception, or an error handler of the same
 * service answered under it.
 */
export function requestFailed(ix: TraceIndex, i: number): boolean {
  if (failed(ix, i)) return true;
  const span = ix.spans[i]!;
  if (span.status !== 'unset') return false;
  const http = httpStatusCode(span);
  if (http !== null && http < 500) return false;
  if (hasExceptionEvent(span)) return true;
  let seen = 0;
  const stack = [i];
  while (stack.length > 0 && seen++ < LOOK_THROUGH_SPANS_MAX) {
    const s = stack.pop()!;
    for (let c = ix.firstChild[s]!; c !== -1; c = ix.nextSibling[c]!) {
      if (ix.spans[c]!.service !== span.service || ix.caller[c] === 1) continue;
      if (isErrorHandlerSpan(ix.spans[c]!)) return true;
      stack.push(c);
    }
  }
  return false;
}

/**
 * The children of `i` as far as failures go: direct children, except that an
 * unset-status span of the same service that did not fail itself is looked
 * through to its own children (recursively).
 */
export function effectiveChildren(ix: TraceIndex, i: number, out: number[]): void {
  const service = ix.spans[i]!.service;
  let seen = 0;
  const stack = [i];
  while (stack.length > 0 && seen++ < LOOK_THROUGH_SPANS_MAX) {
    const s = stack.pop()!;
    for (let c = ix.firstChild[s]!; c !== -1; c = ix.nextSibling[c]!) {
      if (!failed(ix, c) && ix.firstChild[c] !== -1 && isTransparent(ix, c, service) && !isErrorHandlerSpan(ix.spans[c]!)) stack.push(c);
      else out.push(c);
    }
  }
}

const carried = new WeakMap<TraceIndex, Int8Array>();

/**
 * Whether span `i` carries a failure along the request's path: it failed, or
 * (for a server-side span) its request failed, or (for a call) the callee's
 * request failed though the caller's span says nothing.
 */
export function carriesFailure(ix: TraceIndex, i: number): boolean {
  let cache = carried.get(ix);
  if (!cache) carried.set(ix, (cache = new Int8Array(ix.spans.length).fill(-1)));
  let state = cache[i]!;
  if (state !== -1) return state === 1;
  let yes = failed(ix, i);
  if (!yes && ix.spans[i]!.status !== 'ok') {
    if (ix.caller[i] === 0) yes = requestFailed(ix, i);
    else {
      for (let c = ix.firstChild[i]!; c !== -1 && !yes; c = ix.nextSibling[c]!) {
        if (ix.caller[c] === 0 && ix.spans[c]!.service !== ix.spans[i]!.service) yes = requestFailed(ix, c);
      }
    }
  }
  cache[i] = state = yes ? 1 : 0;
  return yes;
}
