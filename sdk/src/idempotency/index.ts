export { idempotency, parseIdempotencyKey, requestFingerprint, REPLAYED_HEADER } from './idempotency.js';
export type { IdempotencyOptions, IdempotencyRequest } from './idempotency.js';
export { MemoryIdempotencyStore } from './MemoryIdempotencyStore.js';
export type { MemoryIdempotencyStoreOptions } from './MemoryIdempotencyStore.js';
export { RedisIdempotencyStore } from './RedisIdempotencyStore.js';
export type { RedisIdempotencyStoreOptions } from './RedisIdempotencyStore.js';
export type { IdempotencyStore, IdempotencyRecord, BeginResult } from './IdempotencyStore.js';
