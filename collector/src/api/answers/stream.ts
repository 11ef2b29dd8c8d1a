// GET /api/stream event payloads (Server-Sent Events; `data:` is one of these as JSON).
import { z } from 'zod';
import { Annotation, BreakerHistory } from './events.js';
import { GraphAnswer, GraphEdge, GraphNode, ServicesAnswer } from './graph.js';

/** `graph`: the whole graph of the last 15 minutes, as GET /api/graph answers it (sent when anything in it changed). */
export const GraphEvent = GraphAnswer;
/** `services`: the whole services answer of the last 15 minutes. */
export const ServicesEvent = ServicesAnswer;
/** `graph.delta`: the nodes and edges whose figures changed since the previous `graph` event, and the ids that left. */
export const GraphDeltaEvent = z.object({
  nodes: z.array(GraphNode),
  edges: z.array(GraphEdge),
  removedNodes: z.array(z.string()),
  removedEdges: z.array(z.object({ source: z.string(), target: z.string() })),
});
/** `annotation`: an annotation that is new or grew. */
export const AnnotationEvent = Annotation;
/** `breaker`: a breaker with the transitions new since the previous event. */
export const BreakerEvent = BreakerHistory;
