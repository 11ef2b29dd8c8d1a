import { randomUUID } from 'node:crypto';

export const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_MAX_CHARS = 128;
const CORRELATION_PATTERN = /^[A-Za-z0-9._:-]+$/;

/**
 * Returns the inbound correlation id when it is 1–128 chars of
 * `[A-Za-z0-9._:-]`, else undefined so the caller mints a fresh one. The raw
 * value is never returned or logged: it may carry CRLF or megabytes.
 */
export function sanitizeCorrelationId(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  if (raw.length === 0 || raw.length > CORRELATION_MAX_CHARS) return undefined;
  return CORRELATION_PATTERN.test(raw) ? raw : undefined;
}

export function newCorrelationId(): string {
  return randomUUID();
}
