/** A completed response, stored to be replayed for the same key and payload. */
export interface IdempotencyRecord {
  /** Hash of method, path and body of the request that produced it. */
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  /** Response body, base64. */
  body: string;
}

/** What begin() found for a key. */
export type BeginResult =
  | { kind: 'acquired'; token: string }
  | { kind: 'in-flight'; fingerprint: string }
  | { kind: 'completed'; record: IdempotencyRecord };

/**
 * Storage of idempotency keys. begin() must be atomic: of many concurrent
 * begins for one key exactly one gets `acquired`.
 */
export interface IdempotencyStore {
  /** Takes the key's lock for `lockTtlMs`, or reports what holds it. */
  begin(key: string, fingerprint: string, lockTtlMs: number): Promise<BeginResult>;
  /** Replaces the lock taken with `token` by the finished record, kept for `ttlMs`. */
  complete(key: string, token: string, record: IdempotencyRecord, ttlMs: number): Promise<void>;
  /** Drops the lock taken with `token` so that a later request may run again. */
  release(key: string, token: string): Promise<void>;
}
