// GET /api/traces and GET /api/traces/:traceId.
import { z } from 'zod';
import { Attributes } from './figures.js';

export const TraceSummary = z.object({
  traceId: z.string(),
  rootService: z.string(),
  rootOperation: z.string(),
  startMs: z.number(),
  durationMs: z.number().nonnegative(),
  spanCount: z.number().int().nonnegative(),
  errorCount: z.number().int().nonnegative(),
  services: z.array(z.string()),
});
export const TracesAnswer = z.array(TraceSummary);

export const SpanEvent = z.object({ name: z.string(), timeMs: z.number(), attributes: Attributes });
export const SpanLink = z.object({ traceId: z.string(), spanId: z.string(), attributes: Attributes });

export const TraceSpan = z.object({
  spanId: z.string(),
  parentSpanId: z.string(),
  service: z.string(),
  name: z.string(),
  kind: z.enum(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']),
  startMs: z.number(),
  endMs: z.number(),
  durationMs: z.number(),
  status: z.enum(['ok', 'error', 'unset']),
  /** The span's status message ("fetch failed", "HTTP 502"), '' when none. */
  statusMessage: z.string(),
  attributes: Attributes,
  resource: Attributes,
  events: z.array(SpanEvent),
  links: z.array(SpanLink),
});

export const TraceAnswer = z.object({ traceId: z.string(), spans: z.array(TraceSpan) });
