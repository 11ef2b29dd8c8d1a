// GET /api/root-causes (and the `incident` stream event).
import { z } from 'zod';

export const RootCause = z.object({
  service: z.string(),
  operation: z.string(),
  score: z.number(),
  reason: z.string(),
  path: z.array(z.string()),
  traceIds: z.array(z.string()),
  virtual: z.boolean(),
  failingRequests: z.number(),
  slowRequests: z.number(),
});

export const Incident = z.object({
  startMs: z.number(),
  endMs: z.number(),
  affected: z.array(z.string()),
  ongoing: z.boolean(),
  signals: z.array(z.string()),
  rootCauses: z.array(RootCause),
});

export const RootCausesAnswer = z.object({ incidents: z.array(Incident) });
