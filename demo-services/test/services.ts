import { natsReachable } from '../src/lib/natsAdmin.js';

const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';

/**
 * JetStream for the scenario runs when reachable; otherwise events go over
 * HTTP with a note, unless REQUIRE_SERVICES=1 (CI), where that is a failure.
 */
export async function natsForTests(): Promise<{ url: string; note: string }> {
  if (await natsReachable(NATS_URL)) return { url: NATS_URL, note: `events over NATS JetStream at ${NATS_URL}` };
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`NATS unreachable at ${NATS_URL} (REQUIRE_SERVICES=1)`);
  return { url: '', note: `NATS unreachable at ${NATS_URL}: events over HTTP instead` };
}
