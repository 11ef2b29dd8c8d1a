import net from 'node:net';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * True when the service answers. When it does not: throws under
 * REQUIRE_SERVICES=1 (CI), else prints a one-line reason and returns false
 * so the suite skips.
 */
export async function serviceAvailable(name: 'NATS' | 'PostgreSQL' | 'RabbitMQ'): Promise<boolean> {
  const url = name === 'NATS' ? NATS_URL : name === 'RabbitMQ' ? AMQP_URL : DATABASE_URL;
  const ok = await reachable(url, name === 'NATS' ? 4222 : name === 'RabbitMQ' ? 5672 : 5432);
  if (ok) return true;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${name} is required (REQUIRE_SERVICES=1) but unreachable at ${url}`);
  console.warn(`skipping: ${name} unreachable at ${url}`);
  return false;
}

/** Unique per test run: stream, schema and consumer names never collide across runs. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
}
