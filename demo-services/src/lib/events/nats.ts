import { connect, AckPolicy, DeliverPolicy, headers as natsHeaders, type NatsConnection, type JetStreamClient } from 'nats';
import type { EventTransport } from './transport.js';
import { parseEvent, type ShopEvent } from './envelope.js';

// TODO(sdk messaging): swap for the SDK's NATS JetStream transport once it lands.
const DUPLICATE_WINDOW_NS = 120 * 1e9;

export function subjectFor(stream: string, event: Pick<ShopEvent, 'source' | 'type'>): string {
  return `${stream}.${event.source}.${event.type}`;
}

async function ensureStream(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.streams.info(stream);
  } catch {
    try {
      await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], duplicate_window: DUPLICATE_WINDOW_NS });
    } catch (err) {
      // Another service created it first.
      if (!/already in use|exists/i.test((err as Error).message)) throw err;
    }
  }
}

/** Publishes with `Nats-Msg-Id` = event id, so a relay retry after a crash is deduplicated by the broker. */
export class NatsTransport implements EventTransport {
  readonly name = 'nats';
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly stream: string,
  ) {}

  static async connect(url: string, stream: string): Promise<NatsTransport> {
    const nc = await connect({ servers: url, timeout: 3000, maxReconnectAttempts: -1 });
    await ensureStream(nc, stream);
    return new NatsTransport(nc, nc.jetstream(), stream);
  }

  async publish(event: ShopEvent): Promise<void> {
    const h = natsHeaders();
    if (event.correlationId) h.set('x-correlation-id', event.correlationId);
    await this.js.publish(subjectFor(this.stream, event), new TextEncoder().encode(JSON.stringify(event)), {
      msgID: event.id,
      headers: h,
      timeout: 2000,
    });
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
  }
}

export interface NatsSubscription {
  close(): Promise<void>;
}

/**
 * Durable pull consumer: each message is handed to `handle`, acked after it
 * returns, and redelivered (after `ackWaitMs`) when the handler throws or the
 * process dies before acking.
 */
export async function consumeNats(
  url: string,
  stream: string,
  durable: string,
  handle: (event: ShopEvent) => Promise<void> | void,
): Promise<NatsSubscription> {
  const nc = await connect({ servers: url, timeout: 3000, maxReconnectAttempts: -1 });
  await ensureStream(nc, stream);
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.consumers.info(stream, durable);
  } catch {
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 5 * 1e9,
      max_ack_pending: 1000,
    });
  }
  const consumer = await nc.jetstream().consumers.get(stream, durable);
  const messages = await consumer.consume({ max_messages: 100 });
  const done = (async () => {
    for await (const m of messages) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(m.data));
      } catch {
        m.term();
        continue;
      }
      const result = parseEvent(parsed);
      if (!result.ok) {
        m.term();
        continue;
      }
      try {
        await handle(result.event);
        m.ack();
      } catch {
        m.nak(500);
      }
    }
  })();
  return {
    async close() {
      await messages.close().catch(() => undefined);
      await done.catch(() => undefined);
      await nc.drain().catch(() => undefined);
    },
  };
}
