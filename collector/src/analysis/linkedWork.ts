// Detached work (saga steps, compensations, outbox relays, consumers, pollers)
// runs in traces of its own that start with a link to the request that caused
// it. For the analysis such a trace is part of that request: its root is
// grafted under the span it links to, so failures and time walk through it,
// and it is never counted as a request of its own. Pure: the input is never
// mutated; grafted spans are copies.
import type { SpanRecord } from '../model.js';

/** Attribute with which background work marks its root spans. */
export const BACKGROUND_ATTRIBUTE = 'faultline.background';

export function isBackgroundRoot(span: SpanRecord): boolean {
  const v = span.attributes[BACKGROUND_ATTRIBUTE];
  return span.parentSpanId === '' && (v === true || v === 'true');
}

/**
 * Spans with every linked root trace moved into the trace of the span it links
 * to, when that span is among the input (first link that resolves wins).
 * Chains (a consumer linked to a relay linked to a request) resolve to the top.
 */
export function graftLinkedTraces(spans: readonly SpanRecord[]): readonly SpanRecord[] {
  const spanTrace = new Map<string, string>();
  const roots: SpanRecord[] = [];
  for (const s of spans) {
    spanTrace.set(s.spanId, s.traceId);
    if (s.parentSpanId === '' && s.links.length > 0) roots.push(s);
  }
  if (roots.length === 0) return spans;
  // traceId of a linked trace → where it goes: the origin trace and the span its root hangs under.
  const moves = new Map<string, { traceId: string; parentSpanId: string }>();
  for (const root of roots) {
    for (const link of root.links) {
      if (link.traceId === root.traceId || spanTrace.get(link.spanId) !== link.traceId) continue;
      moves.set(root.traceId, { traceId: link.traceId, parentSpanId: link.spanId });
      break;
    }
  }
  if (moves.size === 0) return spans;
  const finalTrace = (traceId: string): string => {
    let cur = traceId;
    for (let hops = 0; hops < 16; hops++) {
      const next = moves.get(cur);
      if (!next || next.traceId === traceId) break;
      cur = next.traceId;
    }
    return cur;
  };
  const out: SpanRecord[] = [];
  for (const s of spans) {
    const move = moves.get(s.traceId);
    if (!move) {
      out.push(s);
      continue;
    }
    const traceId = finalTrace(s.traceId);
    out.push({ ...s, traceId, parentSpanId: s.parentSpanId === '' ? move.parentSpanId : s.parentSpanId });
  }
  return out;
}
