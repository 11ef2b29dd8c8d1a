// GET /api/services and GET /api/graph.
import { z } from 'zod';
import { CallCounts, RateFigures } from './figures.js';

export const CallerView = RateFigures.extend(CallCounts.shape).extend({
  /** The calling service. */
  service: z.string(),
});

export const ServiceEntry = RateFigures.extend({
  name: z.string(),
  /** Root spans of background work (pollers, relays, saga steps) in the window; not in `requests`. */
  background: z.number().int().nonnegative(),
  backgroundErrors: z.number().int().nonnegative(),
  /** Calls to this service per caller, as the callers saw them. */
  callers: z.array(CallerView),
  /** All callers' calls added up. */
  seenByCallers: RateFigures.extend(CallCounts.shape),
});
export const ServicesAnswer = z.array(ServiceEntry);

export const GraphNode = RateFigures.extend({
  id: z.string(),
  kind: z.enum(['service', 'virtual']),
  background: z.number().int().nonnegative(),
  /** True when the node sent no server-side spans in the window: its figures are its callers'. */
  seenByCallers: z.boolean(),
  /** All calls into the node as its callers saw them; null when nobody called it. */
  incoming: RateFigures.extend(CallCounts.shape).nullable(),
});

export const GraphEdge = RateFigures.extend(CallCounts.shape).extend({
  source: z.string(),
  target: z.string(),
});

export const GraphAnswer = z.object({ nodes: z.array(GraphNode), edges: z.array(GraphEdge) });
