import { randomUUID } from 'node:crypto';

/**
 * Same shape as the SDK's `EventEnvelope` (`@faultline/sdk/messaging`), so the
 * local outbox can be swapped for the SDK's without touching consumers.
 */
export interface ShopEvent<P = Record<string, unknown>> {
  id: string;
  type: string;
  source: string;
  time: string;
  correlationId?: string;
  key?: string;
  sequence?: number;
  payload: P;
}

const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TYPE = /^[A-Za-z][A-Za-z0-9._-]{0,127}$/;

export function newEventId(): string {
  return randomUUID();
}

/** Validates an inbound event; returns a message for a 400 instead of throwing. */
export function parseEvent(value: unknown): { ok: true; event: ShopEvent } | { ok: false; error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'event must be an object' };
  const e = value as Record<string, unknown>;
  if (typeof e.id !== 'string' || !ID.test(e.id)) return { ok: false, error: 'id is invalid' };
  if (typeof e.type !== 'string' || !TYPE.test(e.type)) return { ok: false, error: 'type is invalid' };
  if (typeof e.source !== 'string' || e.source.length === 0 || e.source.length > 128) return { ok: false, error: 'source is invalid' };
  if (typeof e.time !== 'string') return { ok: false, error: 'time is invalid' };
  if (e.key !== undefined && (typeof e.key !== 'string' || e.key.length > 256)) return { ok: false, error: 'key is invalid' };
  if (e.sequence !== undefined && (typeof e.sequence !== 'number' || !Number.isInteger(e.sequence) || e.sequence < 1)) {
    return { ok: false, error: 'sequence is invalid' };
  }
  if (typeof e.payload !== 'object' || e.payload === null || Array.isArray(e.payload)) return { ok: false, error: 'payload must be an object' };
  return { ok: true, event: e as unknown as ShopEvent };
}
