// Schemas of every answer the dashboard reads. The query API's come from the collector's own
// module (`@faultline/collector/api-schemas`), which its tests hold real answers to; only the
// operations endpoints it does not publish there (config, alerts, transactions) are defined here.
import { z } from 'zod';

export {
  AnnotationEvent as annotationSchema,
  AnnotationsAnswer as annotationsSchema,
  BreakersAnswer as breakersSchema,
  CurrentFigures as currentSchema,
  GraphAnswer as graphSchema,
  GraphDeltaEvent as graphDeltaSchema,
  RootCausesAnswer as rootCausesSchema,
  SeriesAnswer as seriesSchema,
  ServicesAnswer as servicesSchema,
  TraceAnswer as traceSchema,
  TracesAnswer as traceSummariesSchema,
} from '@faultline/collector/api-schemas';

const count = z.number().finite();

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
