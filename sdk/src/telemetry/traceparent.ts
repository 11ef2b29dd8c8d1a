import { ROOT_CONTEXT, defaultTextMapSetter, propagation, trace } from '@opentelemetry/api';
import type { Context, SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

// W3C trace context as OpenTelemetry writes it; used directly when no global propagator is
// registered (init() not called, or OTEL_SDK_DISABLED), so traced calls still carry traceparent.
const w3c = new W3CTraceContextPropagator();

/** Writes W3C trace context headers for `sc` into a plain header record (nothing for an invalid context). */
export function writeTraceContext(headers: Record<string, string>, sc: SpanContext): void {
  w3c.inject(trace.setSpanContext(ROOT_CONTEXT, sc), headers, defaultTextMapSetter);
}

/**
 * Writes the trace context of `ctx` (its span, baggage) with the application's global
 * propagator (W3C trace context unless it chose another), falling back to W3C trace context.
 * Headers of a previous attempt are replaced; with nothing to write, the caller's are kept.
 */
export function injectTraceContext(headers: Record<string, string>, ctx: Context): void {
  const { traceparent, tracestate } = headers;
  delete headers.traceparent;
  delete headers.tracestate;
  propagation.inject(ctx, headers, defaultTextMapSetter);
  if (headers.traceparent === undefined) w3c.inject(ctx, headers, defaultTextMapSetter);
  // Untraced (an invalid span context): whatever the caller sent is kept.
  if (headers.traceparent === undefined && traceparent !== undefined) {
    headers.traceparent = traceparent;
    if (tracestate !== undefined) headers.tracestate = tracestate;
  }
}
