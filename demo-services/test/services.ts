import { connect } from 'node:net';
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

const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';

/** RabbitMQ at AMQP_URL for the broker drills: `undefined` (with a one-line reason) when unreachable, unless REQUIRE_SERVICES=1. */
export async function rabbitForTests(): Promise<string | undefined> {
  const u = new URL(AMQP_URL);
  const ok = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 5672) });
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  if (ok) return AMQP_URL;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`RabbitMQ unreachable at ${u.host} (REQUIRE_SERVICES=1)`);
  console.warn(`skipping: RabbitMQ unreachable at ${u.host}`);
  return undefined;
}
