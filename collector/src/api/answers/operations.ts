// GET /api/alerts, GET /api/transactions(/:id) and GET /api/config.
import { z } from 'zod';

export const Alert = z.object({
  id: z.string(),
  rule: z.string(),
  severity: z.string(),
  state: z.enum(['firing', 'resolved']),
  startsAt: z.number(),
  endsAt: z.number().optional(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  updatedAt: z.number(),
});
export const AlertsAnswer = z.array(Alert);

export const TransactionState = z.enum(['running', 'compensating', 'completed', 'compensated', 'failed', 'stuck']);
export const TransactionSummary = z.object({
  id: z.string(),
  type: z.string(),
  state: TransactionState,
  startedMs: z.number(),
  updatedMs: z.number(),
  ageMs: z.number().nonnegative(),
  step: z.string().nullable(),
  services: z.array(z.string()),
  traceIds: z.array(z.string()),
});
export const TransactionsAnswer = z.array(TransactionSummary);
export const TransactionStep = z.object({
  name: z.string(),
  service: z.string(),
  state: z.enum(['running', 'succeeded', 'failed', 'compensating', 'compensated']),
  startMs: z.number(),
  endMs: z.number().nullable(),
  traceId: z.string(),
});
export const TransactionAnswer = TransactionSummary.extend({ steps: z.array(TransactionStep) });

export const ConfigAnswer = z.object({ controlUrl: z.string().nullable() });
