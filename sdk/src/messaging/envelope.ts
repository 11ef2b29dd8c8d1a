import { randomUUID } from 'node:crypto';
import { EnvelopeValidationError } from './errors.js';

/**
 * What travels between services. `id` is the dedupe key everywhere (outbox,
 * broker `Nats-Msg-Id`, consumer inbox); `key` + `sequence` let a consumer
 * restore per-entity order after the broker or a retry reordered events.
 */
export interface EventEnvelope<P = unknown> {
  /** Unique per logical event (a UUID unless the producer supplies its own). */
  readonly id: string;
  /** e.g. `OrderCreated`: 1–128 chars of `[A-Za-z0-9._-]`, starting with a letter. */
  readonly type: string;
  /** Name of the producing service. */
  readonly source: string;
  /** Creation time, ISO 8601 UTC. */
  readonly time: string;
  /** Correlation id of the request that caused the event (contract charset). */
  readonly correlationId?: string;
  /** W3C trace context of the producer; the consumer continues or links to it. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** Ordering key (e.g. the order id): events with one key are applied in sequence. */
  readonly key?: string;
  /** 1, 2, 3... per (source, key), assigned by the outbox in commit order. */
  readonly sequence?: number;
  readonly payload: P;
}

/** What a producer supplies; the rest is filled in. */
export interface NewEvent<P = unknown> {
  type: string;
  payload: P;
  key?: string;
  /** Defaults to a random UUID. Supply a deterministic id to make producing idempotent too. */
  id?: string;
  correlationId?: string;
}

export const ENVELOPE_LIMITS = {
  idChars: 128,
  typeChars: 128,
  sourceChars: 128,
  keyChars: 256,
  tracestateChars: 512,
  /** Serialized envelope, checked on parse. */
  envelopeBytes: 1024 * 1024,
} as const;

const ID = /^[A-Za-z0-9._:-]+$/;
const TYPE = /^[A-Za-z][A-Za-z0-9._-]*$/;
const SOURCE = /^[A-Za-z0-9._-]+$/;
const CORRELATION = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const KNOWN_FIELDS = new Set([
  'id', 'type', 'source', 'time', 'correlationId', 'traceparent', 'tracestate', 'key', 'sequence', 'payload',
]);

export type ValidationResult =
  | { readonly ok: true; readonly envelope: EventEnvelope }
  | { readonly ok: false; readonly problems: string[] };

function checkString(problems: string[], name: string, v: unknown, maxChars: number, pattern?: RegExp, optional = false): void {
  if (v === undefined && optional) return;
  if (typeof v !== 'string') {
    problems.push(`${name}: must be a string`);
  } else if (v.length === 0 || v.length > maxChars) {
    problems.push(`${name}: must be 1-${maxChars} chars`);
  } else if (pattern && !pattern.test(v)) {
    problems.push(`${name}: has characters outside ${pattern.source}`);
  }
}

/** Checks every envelope rule; never throws. Problems never quote the bad value (it may be huge or hostile). */
export function validateEnvelope(value: unknown): ValidationResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problems: ['envelope: must be a JSON object'] };
  }
  const e = value as Record<string, unknown>;
  const problems: string[] = [];
  checkString(problems, 'id', e.id, ENVELOPE_LIMITS.idChars, ID);
  checkString(problems, 'type', e.type, ENVELOPE_LIMITS.typeChars, TYPE);
  checkString(problems, 'source', e.source, ENVELOPE_LIMITS.sourceChars, SOURCE);
  if (typeof e.time !== 'string' || !ISO_TIME.test(e.time) || Number.isNaN(Date.parse(e.time))) {
    problems.push('time: must be an ISO 8601 timestamp');
  }
  if (e.correlationId !== undefined && (typeof e.correlationId !== 'string' || !CORRELATION.test(e.correlationId))) {
    problems.push('correlationId: must be 1-128 chars of [A-Za-z0-9._:-]');
  }
  if (e.traceparent !== undefined && (typeof e.traceparent !== 'string' || !TRACEPARENT.test(e.traceparent))) {
    problems.push('traceparent: must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)');
  }
  checkString(problems, 'tracestate', e.tracestate, ENVELOPE_LIMITS.tracestateChars, /^[\x20-\x7e]+$/, true);
  checkString(problems, 'key', e.key, ENVELOPE_LIMITS.keyChars, undefined, true);
  if (e.sequence !== undefined) {
    if (typeof e.sequence !== 'number' || !Number.isSafeInteger(e.sequence) || e.sequence < 1) {
      problems.push('sequence: must be a positive integer');
    } else if (e.key === undefined) {
      problems.push('sequence: needs a key');
    }
  }
  if (!('payload' in e) || e.payload === undefined) problems.push('payload: is required (use null for none)');
  for (const field of Object.keys(e)) {
    if (!KNOWN_FIELDS.has(field)) problems.push(`${field.slice(0, 64)}: unknown field`);
  }
  return problems.length === 0 ? { ok: true, envelope: e as unknown as EventEnvelope } : { ok: false, problems };
}

/** Throws `EnvelopeValidationError` listing every problem. */
export function assertEnvelope(value: unknown): EventEnvelope {
  const result = validateEnvelope(value);
  if (result.ok) return result.envelope;
  throw new EnvelopeValidationError(`invalid event envelope: ${result.problems.join('; ')}`, result.problems);
}

/**
 * Decodes bytes or text from a transport and validates them. Throws
 * `EnvelopeValidationError` for oversize input, bad UTF-8/JSON or broken rules.
 */
export function parseEnvelope(raw: string | Uint8Array | object): EventEnvelope {
  if (typeof raw === 'object' && !(raw instanceof Uint8Array)) return assertEnvelope(raw);
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > ENVELOPE_LIMITS.envelopeBytes) {
    const problems = [`envelope: ${size} bytes exceeds ${ENVELOPE_LIMITS.envelopeBytes}`];
    throw new EnvelopeValidationError(problems[0]!, problems);
  }
  let parsed: unknown;
  try {
    const text = typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw);
    parsed = JSON.parse(text);
  } catch {
    const problems = ['envelope: not valid UTF-8 JSON'];
    throw new EnvelopeValidationError(problems[0]!, problems);
  }
  return assertEnvelope(parsed);
}

/** Builds a complete, validated envelope. Throws `EnvelopeValidationError` on bad input: a programmer error. */
export function createEnvelope<P>(
  source: string,
  event: NewEvent<P>,
  extra: { time?: Date; sequence?: number; traceparent?: string; tracestate?: string } = {},
): EventEnvelope<P> {
  const envelope: Record<string, unknown> = {
    id: event.id ?? randomUUID(),
    type: event.type,
    source,
    time: (extra.time ?? new Date()).toISOString(),
    payload: event.payload === undefined ? null : event.payload,
  };
  if (event.correlationId !== undefined) envelope.correlationId = event.correlationId;
  if (extra.traceparent !== undefined) envelope.traceparent = extra.traceparent;
  if (extra.tracestate !== undefined) envelope.tracestate = extra.tracestate;
  if (event.key !== undefined) envelope.key = event.key;
  if (extra.sequence !== undefined) envelope.sequence = extra.sequence;
  return assertEnvelope(envelope) as EventEnvelope<P>;
}
