// POST /v1/traces: OTLP/HTTP in protobuf or JSON, optionally gzip, per the OTLP spec.
// Read (bounded) → inflate (bounded) → decode (pure) → queue → answer once committed.
import express, { type Request, type Response } from 'express';
import {
  decodeRequest,
  type DecodeError,
  encodeExportResponse,
  encodeRpcStatus,
  encodingOf,
  exportResponseJson,
  gunzipBounded,
  type IngestLimits,
  isDecodeError,
  type OtlpEncoding,
  type PartialSuccess,
} from '../ingest/index.js';
import type { WriteQueue } from '../queue/WriteQueue.js';
import type { IngestCounters } from '../metrics/IngestCounters.js';
import { ByteBudget } from './ByteBudget.js';

/** gRPC status codes used in google.rpc.Status bodies. */
export const RPC = { INVALID_ARGUMENT: 3, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, UNAUTHENTICATED: 16, UNIMPLEMENTED: 12 } as const;

export interface OtlpHttpDeps {
  queue: WriteQueue;
  limits: IngestLimits;
  budget: ByteBudget;
  /** A body not received completely within this time gets 408. Default 30,000 ms. */
  bodyTimeoutMs?: number;
  log: (line: string) => void;
  /** Self-health counters for /metrics (rejected spans, throttled requests). */
  counters?: IngestCounters;
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: Request, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      if (err) {
        // Stop reading; the answer closes the connection.
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return finish(new BodyError(413, `body is over the limit of ${maxBytes} bytes`));
      chunks.push(chunk);
    };
    const timer = setTimeout(() => finish(new BodyError(408, `body not received within ${timeoutMs} ms`)), timeoutMs);
    req.on('data', onData);
    req.once('end', () => finish(null));
    req.once('error', (e) => finish(new BodyError(400, `body could not be read: ${e.message}`)));
    req.once('aborted', () => finish(new BodyError(400, 'request aborted')));
  });
}

/** A body declared over the limit but at most this large is read and discarded, so the client sees the 413 rather than a reset. */
const DISCARD_BYTES_MAX = 64 * 1024 * 1024;

function sendStatus(res: Response, encoding: OtlpEncoding | null, http: number, rpcCode: number, message: string, retryAfterS?: number, closeConnection = false): void {
  if (retryAfterS !== undefined) res.set('Retry-After', String(retryAfterS));
  if (closeConnection) res.set('Connection', 'close');
  if (encoding === 'protobuf') {
    res.status(http).type('application/x-protobuf').send(Buffer.from(encodeRpcStatus(rpcCode, message)));
  } else {
    res.status(http).json({ code: rpcCode, message });
  }
}

function sendOk(res: Response, encoding: OtlpEncoding, partial: PartialSuccess | null): void {
  if (encoding === 'protobuf') res.status(200).type('application/x-protobuf').send(Buffer.from(encodeExportResponse(partial)));
  else res.status(200).json(exportResponseJson(partial));
}

export function otlpHttpRouter(deps: OtlpHttpDeps): express.Router {
  const router = express.Router();
  const bodyTimeoutMs = deps.bodyTimeoutMs ?? 30_000;
  const max = deps.limits.bodyBytesMax;

  router.post('/v1/traces', async (req, res) => {
    const encoding = encodingOf(req.headers['content-type']);
    if (!encoding) return sendStatus(res, null, 415, RPC.INVALID_ARGUMENT, 'Content-Type must be application/x-protobuf or application/json');
    const contentEncoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (!['identity', 'gzip', 'none', ''].includes(contentEncoding)) {
      return sendStatus(res, encoding, 415, RPC.INVALID_ARGUMENT, `unsupported Content-Encoding: ${contentEncoding.slice(0, 40)}`);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      // Discard (never buffer) a moderately oversized body so the sender can read the answer.
      const discard = declared <= Math.max(DISCARD_BYTES_MAX, 4 * max);
      if (discard) req.resume();
      return sendStatus(res, encoding, 413, RPC.RESOURCE_EXHAUSTED, `body is over the limit of ${max} bytes`, undefined, !discard);
    }

    // Memory held by bodies in flight is bounded: reserve the worst case (compressed + inflated).
    const reserve = contentEncoding === 'gzip' ? max + (Number.isFinite(declared) ? declared : max) : Number.isFinite(declared) ? declared : max;
    if (!deps.budget.tryTake(reserve)) {
      if (deps.counters) deps.counters.throttled++;
      return sendStatus(res, encoding, 429, RPC.UNAVAILABLE, 'collector busy: too many request bodies in flight', deps.queue.retryAfterS());
    }
    let held = reserve;
    const release = () => {
      deps.budget.give(held);
      held = 0;
    };
    try {
      let body = await readBody(req, max, bodyTimeoutMs);
      if (contentEncoding === 'gzip') body = await gunzipBounded(body, max);
      const decoded = decodeRequest(body, encoding, deps.limits);
      if (deps.counters) deps.counters.spansRejected += decoded.partial?.rejectedSpans ?? 0;
      const queued = deps.queue.enqueue(decoded.spans);
      if (!queued.accepted && deps.counters) deps.counters.throttled++;
      if (!queued.accepted) return sendStatus(res, encoding, 429, RPC.UNAVAILABLE, 'write queue full, retry later', queued.retryAfterS);
      // From here the spans count against the queue's bound, not the body budget.
      release();
      try {
        await queued.committed;
      } catch {
        return sendStatus(res, encoding, 503, RPC.UNAVAILABLE, 'storage unavailable, retry later', 5);
      }
      sendOk(res, encoding, decoded.partial);
    } catch (e) {
      // A body cut off mid-stream leaves unread bytes on the connection: close it.
      if (e instanceof BodyError) return sendStatus(res, encoding, e.status, e.status === 413 ? RPC.RESOURCE_EXHAUSTED : RPC.INVALID_ARGUMENT, e.message, undefined, true);
      if (isDecodeError(e)) {
        const err = e as DecodeError;
        return sendStatus(res, encoding, err.status, err.status === 413 ? RPC.RESOURCE_EXHAUSTED : RPC.INVALID_ARGUMENT, err.message);
      }
      deps.log(`faultline collector: unexpected ingest failure: ${(e as Error)?.message ?? e}`);
      return sendStatus(res, encoding, 503, RPC.UNAVAILABLE, 'ingest failed, retry later', 5);
    } finally {
      release();
    }
  });

  router.all('/v1/traces', (_req, res) => {
    res.set('Allow', 'POST');
    sendStatus(res, null, 405, RPC.UNIMPLEMENTED, 'use POST');
  });
  router.all(/^\/v1\/.*/, (_req, res) => sendStatus(res, null, 404, RPC.UNIMPLEMENTED, 'only /v1/traces is served'));
  return router;
}
