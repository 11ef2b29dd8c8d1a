import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import { ConfigError } from '../errors/ConfigError.js';
import { EVENT_IDEMPOTENCY_REPLAYED } from '../telemetry/attributes.js';
import type { IdempotencyRecord, IdempotencyStore } from './IdempotencyStore.js';

export const REPLAYED_HEADER = 'idempotent-replayed';
const KEY_MAX_CHARS = 255;
// Printable ASCII; the draft's sf-string allows exactly these.
const KEY_PATTERN = /^[\x20-\x7e]+$/;

export interface IdempotencyRequest extends IncomingMessage {
  body?: unknown;
  originalUrl?: string;
}

export interface IdempotencyOptions {
  /** Where keys and finished responses live. */
  store: IdempotencyStore;
  /** Answer 400 to a request without `Idempotency-Key`. Default false. */
  required?: boolean;
  /** How long a finished response is replayed, ms. Default 24 h. */
  ttlMs?: number;
  /** How long a request may hold its key before another may run, ms. Default 60000. */
  lockTtlMs?: number;
  /** Who the key belongs to; keys of different clients never collide. Default: a hash of `Authorization`, else one shared scope. */
  scope?: (req: IdempotencyRequest) => string;
  /** Methods the middleware applies to. Default POST, PATCH. */
  methods?: string[];
  /** Responses larger than this are not stored (the key is released), bytes. Default 1 MiB. */
  maxResponseBytes?: number;
}

type Next = (error?: unknown) => void;

/**
 * Parses `Idempotency-Key`: an sf-string (`"abc"`) per the IETF draft, or
 * bare. Returns undefined for anything else; the raw value is never echoed.
 */
export function parseIdempotencyKey(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  let key = raw.trim();
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) key = key.slice(1, -1);
  if (key.length === 0 || key.length > KEY_MAX_CHARS || !KEY_PATTERN.test(key)) return undefined;
  return key;
}

function sha256(...parts: Array<string | Buffer>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('hex');
}

function bodyBytes(body: unknown): string | Buffer {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  try {
    return JSON.stringify(body);
  } catch {
    return '';
  }
}

export function requestFingerprint(req: IdempotencyRequest): string {
  const url = req.originalUrl ?? req.url ?? '';
  return sha256(req.method ?? '', url, bodyBytes(req.body));
}

function defaultScope(req: IdempotencyRequest): string {
  const auth = req.headers.authorization;
  return typeof auth === 'string' ? `auth:${sha256(auth).slice(0, 32)}` : 'public';
}

function problem(res: ServerResponse, status: number, detail: string, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/problem+json');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(JSON.stringify({ title: detail, status }));
}

// Headers of the stored response that describe the connection or this
// request rather than the resource.
const NOT_REPLAYED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'content-length', 'x-correlation-id', 'set-cookie']);

function replay(res: ServerResponse, record: IdempotencyRecord): void {
  for (const [k, v] of Object.entries(record.headers)) if (!NOT_REPLAYED.has(k)) res.setHeader(k, v);
  res.setHeader(REPLAYED_HEADER, 'true');
  res.statusCode = record.status;
  trace.getActiveSpan()?.addEvent(EVENT_IDEMPOTENCY_REPLAYED, { 'faultline.status': record.status });
  res.end(Buffer.from(record.body, 'base64'));
}

/**
 * Server side of the IETF Idempotency-Key draft for express: the first
 * request with a key runs, later ones with the same key and payload get its
 * stored response (`Idempotent-Replayed: true`), a concurrent one gets 409,
 * one with a different payload 422. Mount after the body parser: the body is
 * part of the fingerprint.
 * @example
 * app.post('/charges', express.json(), idempotency({ store: new MemoryIdempotencyStore(), required: true }), charge);
 */
export function idempotency(options: IdempotencyOptions): (req: IdempotencyRequest, res: ServerResponse, next: Next) => Promise<void> {
  if (!options || typeof options.store?.begin !== 'function') throw new ConfigError('store', 'must be an IdempotencyStore');
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new ConfigError('ttlMs', 'must be a positive integer');
  const lockTtlMs = options.lockTtlMs ?? 60_000;
  if (!Number.isInteger(lockTtlMs) || lockTtlMs < 1) throw new ConfigError('lockTtlMs', 'must be a positive integer');
  const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  if (!Number.isInteger(maxResponseBytes) || maxResponseBytes < 0) throw new ConfigError('maxResponseBytes', 'must be a non-negative integer');
  if (options.scope !== undefined && typeof options.scope !== 'function') throw new ConfigError('scope', 'must be a function');
  const methods = new Set((options.methods ?? ['POST', 'PATCH']).map((m) => m.toUpperCase()));
  const scopeOf = options.scope ?? defaultScope;
  const { store } = options;
  const required = options.required ?? false;

  return async function idempotencyMiddleware(req, res, next): Promise<void> {
    if (!methods.has(req.method ?? '')) return next();
    const raw = req.headers['idempotency-key'];
    if (raw === undefined) {
      if (required) return problem(res, 400, 'Idempotency-Key header is required');
      return next();
    }
    const key = parseIdempotencyKey(raw);
    if (key === undefined) return problem(res, 400, `Idempotency-Key must be 1-${KEY_MAX_CHARS} printable ASCII characters`);

    let scope: string;
    try {
      scope = String(scopeOf(req));
    } catch {
      return problem(res, 400, 'request has no idempotency scope');
    }
    const recordKey = sha256(scope, key);
    const fingerprint = requestFingerprint(req);

    let begun;
    try {
      begun = await store.begin(recordKey, fingerprint, lockTtlMs);
    } catch {
      // Without the store we cannot tell a retry from a first attempt; running
      // it anyway could execute it twice, so the client is asked to come back.
      return problem(res, 503, 'idempotency store unavailable', { 'retry-after': '1' });
    }
    if (begun.kind === 'completed') {
      if (begun.record.fingerprint !== fingerprint) return problem(res, 422, 'Idempotency-Key was already used with a different request');
      return replay(res, begun.record);
    }
    if (begun.kind === 'in-flight') {
      if (begun.fingerprint !== '' && begun.fingerprint !== fingerprint) {
        return problem(res, 422, 'Idempotency-Key was already used with a different request');
      }
      return problem(res, 409, 'a request with this Idempotency-Key is still being processed', { 'retry-after': '1' });
    }

    const token = begun.token;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let overflow = false;
    const capture = (chunk: unknown, encoding?: unknown): void => {
      if (overflow || chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const buf = Buffer.isBuffer(chunk)
        ? chunk
        : typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : chunk instanceof Uint8Array
            ? Buffer.from(chunk)
            : undefined;
      if (!buf) return;
      bytes += buf.length;
      if (bytes > maxResponseBytes) {
        overflow = true;
        chunks.length = 0;
      } else chunks.push(buf);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    (res as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => {
      capture(chunk, rest[0]);
      return write(chunk, ...rest);
    };
    let settled = false;
    (res as { end: unknown }).end = (chunk?: unknown, ...rest: unknown[]) => {
      capture(chunk, rest[0]);
      const out = end(chunk, ...rest);
      // Settled when the handler ends its response, not when the socket does:
      // a caller that gave up (timeout) must not free the key while the
      // handler is still running, or its retry would execute a second time.
      if (!settled) {
        settled = true;
        settle();
      }
      return out;
    };

    const settle = (): void => {
      // 5xx answers are not results: the key is freed so the client's retry runs again.
      if (res.statusCode >= 500 || overflow) {
        store.release(recordKey, token).catch(() => undefined);
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.getHeaders())) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
      }
      const record: IdempotencyRecord = { fingerprint, status: res.statusCode, headers, body: Buffer.concat(chunks).toString('base64') };
      store.complete(recordKey, token, record, ttlMs).catch(() => undefined);
    };
    // A handler that never answers keeps the key until lockTtlMs: safer than a second execution.
    next();
  };
}
