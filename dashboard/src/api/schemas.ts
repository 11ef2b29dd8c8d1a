// zod schemas of the collector's query API answers; the answer types are inferred from them,
// so a shape is written once. Answers may carry more fields than listed (they are stripped).
import { z } from 'zod';

const count = z.number().finite();
/** Latency figures are null or missing when a window holds no requests. */
const ms = z.number().finite().nullable().catch(0).transform((v) => v ?? 0);

export const currentSchema = z.object({
  requestsPerSec: count,
  errors: count,
  errorRate: count,
  p95Ms: ms,
  minuteStartMs: count.nullable(),
});

const rates = {
  requests: count,
  errors: count,
  errorRate: count,
  p50Ms: ms,
  p95Ms: ms,
  p99Ms: ms,
  /** Over the minutes of the window that hold data. */
  requestsPerSec: count.optional(),
  /** The last complete minute of the window that holds data. */
  current: currentSchema.optional(),
};
const resilience = { retries: count.default(0), timeouts: count.default(0), shortCircuits: count.default(0) };

export const serviceSummarySchema = z.object({ name: z.string(), ...rates, background: count.optional() });
export const servicesSchema = z.array(serviceSummarySchema);

export const graphNodeSchema = z.object({ id: z.string(), kind: z.enum(['service', 'virtual']).catch('service'), ...rates, background: count.optional() });
export const graphEdgeSchema = z.object({ source: z.string(), target: z.string(), ...rates, ...resilience });
export const graphSchema = z.object({ nodes: z.array(graphNodeSchema), edges: z.array(graphEdgeSchema) });

export const traceSummarySchema = z.object({
  traceId: z.string(),
  rootService: z.string().catch(''),
  rootOperation: z.string().catch(''),
  startMs: count,
  durationMs: count,
  spanCount: count.default(0),
  errorCount: count.default(0),
  services: z.array(z.string()).catch([]),
});
export const traceSummariesSchema = z.array(traceSummarySchema);

type AttrValueT = string | number | boolean | null | AttrValueT[] | { [key: string]: AttrValueT };
const attrValue: z.ZodType<AttrValueT> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(attrValue), z.record(z.string(), attrValue)]));
const attributes = z.record(z.string(), attrValue).catch({});

export const spanEventSchema = z.object({ name: z.string(), timeMs: count, attributes });
export const spanLinkSchema = z.object({ traceId: z.string(), spanId: z.string(), attributes: attributes.optional() });
export const spanSchema = z.object({
  spanId: z.string(),
  parentSpanId: z.string().catch(''),
  service: z.string(),
  name: z.string(),
  kind: z.string().catch('internal'),
  startMs: count,
  durationMs: count,
  status: z.enum(['ok', 'error', 'unset']).catch('unset'),
  /** OTLP status message ("fetch failed", "HTTP 502"); empty when the span set none. */
  statusMessage: z.string().catch(''),
  attributes,
  events: z.array(spanEventSchema).catch([]),
  links: z.array(spanLinkSchema).catch([]),
});
export const traceSchema = z.object({ traceId: z.string(), spans: z.array(spanSchema) });

export const rootCauseSchema = z.object({
  service: z.string(),
  operation: z.string().catch(''),
  score: count.catch(0),
  reason: z.string().catch(''),
  path: z.array(z.string()),
  traceIds: z.array(z.string().regex(/^[0-9a-f]{32}$/)).max(5).catch([]),
});
export const incidentSchema = z.object({
  startMs: count,
  endMs: count,
  affected: z.array(z.string()).catch([]),
  rootCauses: z.array(rootCauseSchema).default([]),
  signals: z.array(z.string()).optional(),
  ongoing: z.boolean().optional(),
});
export const rootCausesSchema = z.object({ incidents: z.array(incidentSchema) });

export const seriesPointSchema = z.object({ startMs: count, ...rates, ...resilience });
export const seriesSchema = z.object({ stepMs: count, points: z.array(seriesPointSchema) });

export const breakerTransitionSchema = z.object({ timeMs: count, from: z.string(), to: z.string() });
export const breakerSchema = z.object({ service: z.string(), breaker: z.string(), target: z.string().nullable().catch(null), transitions: z.array(breakerTransitionSchema) });
export const breakersSchema = z.array(breakerSchema);

export const annotationSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  timeMs: count,
  endMs: count.nullable().optional(),
  kind: z.string(),
  service: z.string().nullable().optional(),
  text: z.string(),
  attributes: z.record(z.string(), attrValue).catch({}),
});
export const annotationsSchema = z.array(annotationSchema);

export const configSchema = z.object({ controlUrl: z.string().nullable().catch(null).transform((v) => (v ? v : null)) });

export const alertSchema = z.object({
  id: z.string(),
  rule: z.string(),
  severity: z.string(),
  state: z.enum(['firing', 'resolved']).catch('firing'),
  startsAt: count,
  endsAt: count.optional().catch(undefined),
  labels: z.record(z.string(), z.string()).catch({}),
  annotations: z.record(z.string(), z.string()).catch({}),
});
export const alertsSchema = z.array(alertSchema);

export const transactionStateSchema = z.enum(['running', 'compensating', 'completed', 'compensated', 'failed', 'stuck']);
export const transactionSummarySchema = z.object({
  id: z.string(),
  type: z.string(),
  state: transactionStateSchema,
  startedMs: count,
  updatedMs: count,
  step: z.string().nullable().default(null),
  services: z.array(z.string()).default([]),
  traceIds: z.array(z.string()).default([]),
});
export const transactionsSchema = z.array(transactionSummarySchema);
export const transactionStepSchema = z.object({ name: z.string(), service: z.string(), state: z.string(), startMs: count, endMs: count.nullable().default(null), traceId: z.string() });
export const transactionDetailSchema = transactionSummarySchema.extend({ steps: z.array(transactionStepSchema) });

/** Stream event `graph.delta`: nodes and edges whose figures changed since the previous `graph` event, and the ids that left. */
export const graphDeltaSchema = z.object({
  nodes: z.array(graphNodeSchema),
  edges: z.array(graphEdgeSchema),
  removedNodes: z.array(z.string()).default([]),
  removedEdges: z.array(z.object({ source: z.string(), target: z.string() })).default([]),
});
