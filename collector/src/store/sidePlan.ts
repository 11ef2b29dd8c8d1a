// Records a batch adds beside the graph: annotations of injected faults and breaker
// transitions. Spans of the fault recorder are annotations only: never stored as spans,
// so they are never a service, a row or an edge.
import { breakerTransitionsOf, type BreakerTransition, faultAnnotationsOf, isFaultRecorderSpan, type StoredAnnotation } from '../analysis/faultAnnotations.js';
import type { SpanRecord } from '../model.js';

export function splitRecorderSpans(incoming: readonly SpanRecord[]): { spans: readonly SpanRecord[]; recorder: SpanRecord[] } {
  if (!incoming.some(isFaultRecorderSpan)) return { spans: incoming, recorder: [] };
  return { spans: incoming.filter((s) => !isFaultRecorderSpan(s)), recorder: incoming.filter(isFaultRecorderSpan) };
}

/** From newly stored spans (a re-sent span adds nothing twice) and the recorder's spans (ids make them idempotent). */
export function sideRecords(fresh: readonly SpanRecord[], recorder: readonly SpanRecord[]): { annotations: StoredAnnotation[]; transitions: BreakerTransition[] } {
  return { annotations: faultAnnotationsOf([...fresh, ...recorder]), transitions: breakerTransitionsOf(fresh) };
}
