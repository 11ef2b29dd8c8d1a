import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const required = process.env.REQUIRE_SERVICES === '1';

/**
 * Connects to the test Redis, or returns a skip reason when it is absent
 * (a failure instead when REQUIRE_SERVICES=1).
 */
export async function connectRedis(): Promise<{ redis?: Redis; skip?: string }> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return { redis };
  } catch (error) {
    redis.disconnect();
    if (required) throw new Error(`Redis at ${REDIS_URL} is required (REQUIRE_SERVICES=1): ${(error as Error).message}`);
    return { skip: `Redis unreachable at ${REDIS_URL}` };
  }
}
