// `consistency.violation` span events (faultline.tx.id, faultline.violation) seen at ingest,
// kept for the ConsistencyViolation rule. Bounded; a re-sent span is counted once.
import type { SpanRecord } from '../model.js';
import type { Violation } from './evaluate.js';

export const VIOLATION_EVENT = 'consistency.violation';
export const VIOLATIONS_KEPT_MAX = 10_000;
export const VIOLATIONS_KEPT_MS = 3_600_000;

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 256) : '');

export class ConsistencyViolations {
  private readonly byKey = new Map<string, Violation>();

  observe(spans: readonly SpanRecord[]): void {
    for (const span of spans) {
      span.events.forEach((event, i) => {
        if (event.name !== VIOLATION_EVENT) return;
        const txId = str(event.attributes['faultline.tx.id']) || str(span.attributes['faultline.tx.id']) || 'unknown';
        const kind = str(event.attributes['faultline.violation']) || 'unspecified';
        const key = `${span.traceId}:${span.spanId}:${i}`;
        if (this.byKey.has(key)) return;
        this.byKey.set(key, { timeMs: event.timeMs, service: span.service, kind, txId });
        if (this.byKey.size > VIOLATIONS_KEPT_MAX) this.byKey.delete(this.byKey.keys().next().value!);
      });
    }
  }

  recent(nowMs = Date.now()): Violation[] {
    for (const [k, v] of this.byKey) if (nowMs - v.timeMs > VIOLATIONS_KEPT_MS) this.byKey.delete(k);
    return [...this.byKey.values()];
  }
}
