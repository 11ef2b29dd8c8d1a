import type { Request, RequestHandler, Response } from 'express';
import { ENVELOPE_LIMITS } from '../envelope.js';
import type { IdempotentConsumer } from '../consumer/IdempotentConsumer.js';

export interface HttpReceiverOptions {
  /** Request body limit. Default the envelope limit (1 MiB). */
  maxBytes?: number;
  onError?: (error: Error) => void;
}

class BodyTooLarge extends Error {}

function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Express handler receiving envelopes POSTed by `HttpTransport`. Works with
 * or without `express.json()` in front. Answers 200 `{ outcome }` once the
 * outcome is committed, 400 for a malformed envelope (dead-lettered, do not
 * retry), 413 over the size limit, 503 + Retry-After for "try again later".
 * @example
 * app.post('/events', httpReceiver(consumer));
 */
export function httpReceiver(consumer: IdempotentConsumer<any>, options: HttpReceiverOptions = {}): RequestHandler {
  const maxBytes = options.maxBytes ?? ENVELOPE_LIMITS.envelopeBytes;
  const onError = options.onError ?? ((e: Error) => console.warn(`[faultline] http receiver ${consumer.name}: ${e.message}`));
  return async (req: Request, res: Response) => {
    let raw: Buffer | object;
    if (req.body !== undefined && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) {
      raw = req.body as object;
    } else if (Buffer.isBuffer(req.body)) {
      raw = req.body;
    } else {
      try {
        raw = await readBody(req, maxBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          res.status(413).json({ error: `body exceeds ${maxBytes} bytes` });
        } else {
          res.status(400).json({ error: 'could not read request body' });
        }
        return;
      }
    }
    try {
      const outcome = await consumer.handle(raw as Uint8Array | object, { system: 'http', destination: req.path });
      if (outcome.kind === 'retry') {
        res.set('Retry-After', String(Math.max(1, Math.ceil(outcome.retryInMs / 1000))));
        res.status(503).json({ outcome: outcome.kind, attempt: outcome.attempt, error: outcome.error.message.slice(0, 500) });
      } else if (outcome.kind === 'dead-lettered' && outcome.malformed) {
        res.status(400).json({ outcome: outcome.kind, error: outcome.reason });
      } else {
        res.status(200).json({ outcome: outcome.kind });
      }
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
      res.set('Retry-After', '1');
      res.status(503).json({ error: 'consumer unavailable' });
    }
  };
}
