import { INVALID_TRACEID } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';

/**
 * Writes W3C trace context headers for `sc` into a plain header record.
 * Done by hand rather than through the global propagator: it is on every
 * call's hot path and the format is fixed. Span contexts here come from the
 * tracer (generated, or extracted and validated by the propagator), so only
 * the no-op tracer's invalid context needs to be recognised.
 */
export function writeTraceContext(headers: Record<string, string>, sc: SpanContext): void {
  if (sc.traceId === INVALID_TRACEID || sc.traceId.length !== 32) return;
  headers.traceparent = `00-${sc.traceId}-${sc.spanId}-${sc.traceFlags & 1 ? '01' : '00'}`;
  const state = sc.traceState?.serialize();
  if (state) headers.tracestate = state;
}
