import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConfigError } from '../errors/ConfigError.js';
import type { BeginResult, IdempotencyRecord, IdempotencyStore } from './IdempotencyStore.js';

export interface RedisIdempotencyStoreOptions {
  /** A connected ioredis client; the store does not close it. */
  client: Redis;
  /** Prefix of every key. Default `faultline:idem:`. */
  prefix?: string;
}

type Stored = { kind: 'in-flight'; fingerprint: string; token: string } | { kind: 'completed'; record: IdempotencyRecord };

// Replace or delete only while we still hold the lock: a lock that expired
// and was taken by another request must not be overwritten.
const COMPLETE_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, cur = pcall(cjson.decode, v)
if not ok or cur.kind ~= 'in-flight' or cur.token ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

/**
 * Idempotency keys in Redis, shared by every replica: the lock is taken
 * atomically with `SET NX PX`, the finished response stored with a TTL.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly client: Redis;
  private readonly prefix: string;

  constructor(options: RedisIdempotencyStoreOptions) {
    if (!options || typeof options.client?.set !== 'function') throw new ConfigError('client', 'must be an ioredis client');
    this.client = options.client;
    this.prefix = options.prefix ?? 'faultline:idem:';
  }

  async begin(key: string, fingerprint: string, lockTtlMs: number): Promise<BeginResult> {
    const k = this.prefix + key;
    // Two rounds: the key may expire between a failed SET NX and the GET.
    for (let round = 0; round < 2; round++) {
      const token = randomUUID();
      const lock: Stored = { kind: 'in-flight', fingerprint, token };
      const ok = await this.client.set(k, JSON.stringify(lock), 'PX', lockTtlMs, 'NX');
      if (ok === 'OK') return { kind: 'acquired', token };
      const raw = await this.client.get(k);
      if (raw === null) continue;
      const stored = parse(raw);
      if (!stored) return { kind: 'in-flight', fingerprint: '' };
      return stored.kind === 'completed' ? { kind: 'completed', record: stored.record } : { kind: 'in-flight', fingerprint: stored.fingerprint };
    }
    return { kind: 'in-flight', fingerprint };
  }

  async complete(key: string, token: string, record: IdempotencyRecord, ttlMs: number): Promise<void> {
    const stored: Stored = { kind: 'completed', record };
    await this.client.eval(COMPLETE_SCRIPT, 1, this.prefix + key, token, JSON.stringify(stored), String(ttlMs));
  }

  async release(key: string, token: string): Promise<void> {
    await this.client.eval(COMPLETE_SCRIPT, 1, this.prefix + key, token, '', '0');
  }
}

function parse(raw: string): Stored | undefined {
  try {
    const v = JSON.parse(raw) as Stored;
    return v && (v.kind === 'in-flight' || v.kind === 'completed') ? v : undefined;
  } catch {
    return undefined;
  }
}
