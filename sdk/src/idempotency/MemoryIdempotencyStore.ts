import { randomUUID } from 'node:crypto';
import { ConfigError } from '../errors/ConfigError.js';
import type { BeginResult, IdempotencyRecord, IdempotencyStore } from './IdempotencyStore.js';

export interface MemoryIdempotencyStoreOptions {
  /** Keys kept at most; the oldest are evicted first. Default 10000. */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
}

type Entry =
  | { kind: 'in-flight'; fingerprint: string; token: string; expiresAtMs: number }
  | { kind: 'completed'; record: IdempotencyRecord; expiresAtMs: number };

/**
 * Idempotency keys in process memory, bounded by `maxEntries`. Only for a
 * single instance: replicas need a shared store (RedisIdempotencyStore).
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  evicted = 0;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    const max = options.maxEntries ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new ConfigError('maxEntries', 'must be a positive integer');
    this.maxEntries = max;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async begin(key: string, fingerprint: string, lockTtlMs: number): Promise<BeginResult> {
    const now = this.now();
    const existing = this.entries.get(key);
    if (existing && existing.expiresAtMs > now) {
      return existing.kind === 'completed' ? { kind: 'completed', record: existing.record } : { kind: 'in-flight', fingerprint: existing.fingerprint };
    }
    const token = randomUUID();
    this.set(key, { kind: 'in-flight', fingerprint, token, expiresAtMs: now + lockTtlMs });
    return { kind: 'acquired', token };
  }

  async complete(key: string, token: string, record: IdempotencyRecord, ttlMs: number): Promise<void> {
    const existing = this.entries.get(key);
    if (!existing || existing.kind !== 'in-flight' || existing.token !== token) return;
    this.set(key, { kind: 'completed', record, expiresAtMs: this.now() + ttlMs });
  }

  async release(key: string, token: string): Promise<void> {
    const existing = this.entries.get(key);
    if (existing && existing.kind === 'in-flight' && existing.token === token) this.entries.delete(key);
  }

  private set(key: string, entry: Entry): void {
    // Re-inserting moves the key to the end, so Map order is age order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.evicted += 1;
    }
  }
}
