// Annotations and breaker transitions carried by spans: injected faults (`fault.injected`
// events) and circuit-breaker state changes (`breaker.state` events). Pure.
import { RESILIENCE_EVENTS, type Attributes, type SpanRecord } from '../model.js';
import { namespaceOf } from './requestKinds.js';
import { bucketStart } from './stats.js';
import { calleeHint } from './spanContribution.js';

/** Service name of the fault injector's own spans: they are annotations, never a service. */
export const FAULT_RECORDER_SERVICE = 'faultline-chaos';
/** Injected faults of one kind in one service closer than this form one annotation. */
export const FAULT_MERGE_GAP_MS = 60_000;

export interface Annotation {
  id: string;
  timeMs: number;
  endMs?: number;
  kind: string;
  service?: string;
  text: string;
  attributes: Attributes;
}

/** An annotation as stored: `origin` 'ingest' (from spans) or 'api' (posted). */
export interface StoredAnnotation extends Annotation {
  namespace: string;
  origin: 'ingest' | 'api';
}

export interface BreakerTransition {
  traceId: string;
  spanId: string;
  /** Index of the event within its span: re-sent spans give the same key. */
  seq: number;
  timeMs: number;
  service: string;
  breaker: string;
  target: string;
  from: string;
  to: string;
  namespace: string;
}

export function isFaultRecorderSpan(span: SpanRecord): boolean {
  return span.service === FAULT_RECORDER_SERVICE;
}

function clip(v: unknown, chars: number): string {
  return String(v ?? '').slice(0, chars);
}

/**
 * One annotation per service, fault kind and minute (a fault hits many requests; the
 * store merges the minutes on read). Ids are derived from those keys so that every
 * collector writing to one database adds to the same row.
 */
export function faultAnnotationsOf(spans: readonly SpanRecord[]): StoredAnnotation[] {
  const byId = new Map<string, StoredAnnotation>();
  for (const span of spans) {
    for (const event of span.events) {
      if (event.name !== RESILIENCE_EVENTS.faultInjected) continue;
      const fault = clip(event.attributes['faultline.fault'] ?? span.attributes['faultline.fault'] ?? 'fault', 64) || 'fault';
      const victim = event.attributes['peer.service'] ?? (isFaultRecorderSpan(span) ? span.attributes['peer.service'] : undefined);
      const service = clip(victim ?? span.service, 256);
      const namespace = namespaceOf(span);
      const minute = bucketStart(event.timeMs);
      const id = `fault-${minute.toString(36)}-${hashKey(`${namespace}\u0000${service}\u0000${fault}`)}`;
      const known = byId.get(id);
      if (known) {
        known.timeMs = Math.min(known.timeMs, event.timeMs);
        known.endMs = Math.max(known.endMs ?? known.timeMs, event.timeMs);
        continue;
      }
      byId.set(id, {
        id, timeMs: event.timeMs, endMs: event.timeMs, kind: 'fault', service,
        text: `${fault} fault injected into ${service}`,
        attributes: { 'faultline.fault': fault }, namespace, origin: 'ingest',
      });
    }
  }
  return [...byId.values()];
}

/** FNV-1a, 32 bits, base 36: short stable ids. */
function hashKey(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** Adjacent minutes of one injected fault read as one annotation, from its first to its last sighting. */
export function mergeFaultAnnotations(list: readonly StoredAnnotation[]): StoredAnnotation[] {
  const out: StoredAnnotation[] = [];
  const open = new Map<string, StoredAnnotation>();
  for (const a of [...list].sort((x, y) => x.timeMs - y.timeMs || (x.id < y.id ? -1 : 1))) {
    if (a.origin !== 'ingest') {
      out.push(a);
      continue;
    }
    const key = `${a.namespace}\u0000${a.kind}\u0000${a.service ?? ''}\u0000${String(a.attributes['faultline.fault'] ?? '')}`;
    const prev = open.get(key);
    if (prev && a.timeMs - (prev.endMs ?? prev.timeMs) <= FAULT_MERGE_GAP_MS) {
      prev.endMs = Math.max(prev.endMs ?? prev.timeMs, a.endMs ?? a.timeMs);
      continue;
    }
    const copy = { ...a };
    open.set(key, copy);
    out.push(copy);
  }
  return out.sort((x, y) => x.timeMs - y.timeMs || (x.id < y.id ? -1 : 1));
}

const BREAKER_STATES = new Set(['closed', 'open', 'half-open']);

function state(raw: unknown): string | null {
  const s = String(raw ?? '').toLowerCase().replace(/[_ ]/g, '-');
  const name = s === 'halfopen' ? 'half-open' : s;
  return BREAKER_STATES.has(name) ? name : null;
}

export function breakerTransitionsOf(spans: readonly SpanRecord[]): BreakerTransition[] {
  const out: BreakerTransition[] = [];
  for (const span of spans) {
    span.events.forEach((event, seq) => {
      if (event.name !== RESILIENCE_EVENTS.breakerState) return;
      const to = state(event.attributes['faultline.to']);
      if (!to) return;
      const hint = calleeHint(span);
      const breaker = clip(event.attributes['faultline.breaker'] ?? hint ?? 'default', 256);
      out.push({
        traceId: span.traceId, spanId: span.spanId, seq, timeMs: event.timeMs, service: span.service,
        breaker, target: clip(hint ?? breaker, 256), from: state(event.attributes['faultline.from']) ?? 'unknown', to, namespace: namespaceOf(span),
      });
    });
  }
  return out;
}
