// Figures shared by several answers.
import { z } from 'zod';

/** Rate, errors and duration over the window. */
export const RedFigures = z.object({
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  errorRate: z.number().min(0).max(1),
  p50Ms: z.number().nonnegative(),
  p95Ms: z.number().nonnegative(),
  p99Ms: z.number().nonnegative(),
});

/** The last complete minute of the window that holds data. */
export const CurrentFigures = z.object({
  requestsPerSec: z.number().nonnegative(),
  errors: z.number().int().nonnegative(),
  errorRate: z.number().min(0).max(1),
  p95Ms: z.number().nonnegative(),
  minuteStartMs: z.number().int(),
});

/** Window figures plus the request rate over the minutes holding data and the current minute. */
export const RateFigures = RedFigures.extend({
  requestsPerSec: z.number().nonnegative(),
  current: CurrentFigures,
});

export const CallCounts = z.object({
  retries: z.number().int().nonnegative(),
  timeouts: z.number().int().nonnegative(),
  shortCircuits: z.number().int().nonnegative(),
});

/** Every 4xx/503 answer. */
export const ErrorAnswer = z.object({ error: z.string() });

const AttrValue: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(AttrValue), z.record(z.string(), AttrValue)]));
export const Attributes = z.record(z.string(), AttrValue);
