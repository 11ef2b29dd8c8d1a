// GET /api/series, GET|POST /api/annotations, GET /api/breakers.
import { z } from 'zod';
import { Attributes, CallCounts, RedFigures } from './figures.js';

export const SeriesPoint = RedFigures.extend(CallCounts.shape).extend({ startMs: z.number().int() });
export const SeriesAnswer = z.object({ stepMs: z.number().int().positive(), points: z.array(SeriesPoint) });

export const Annotation = z.object({
  id: z.string(),
  timeMs: z.number(),
  endMs: z.number().optional(),
  kind: z.string(),
  service: z.string().optional(),
  text: z.string(),
  attributes: Attributes,
});
export const AnnotationsAnswer = z.array(Annotation);

export const BreakerTransition = z.object({ timeMs: z.number(), from: z.string(), to: z.enum(['closed', 'open', 'half-open']) });
export const BreakerHistory = z.object({
  service: z.string(),
  breaker: z.string(),
  target: z.string(),
  transitions: z.array(BreakerTransition),
});
export const BreakersAnswer = z.array(BreakerHistory);
