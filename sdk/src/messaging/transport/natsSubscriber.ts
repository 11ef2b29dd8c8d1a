import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type NatsConnection } from 'nats';
import { MessagingConfigError } from '../errors.js';
import type { IdempotentConsumer } from '../consumer/IdempotentConsumer.js';
import { ensureStream, isNotFoundError, openConnection, resolveStream, type NatsStreamOptions } from './natsSetup.js';

export interface NatsSubscriptionOptions extends NatsStreamOptions {
  consumer: IdempotentConsumer<any>;
  /** Durable JetStream consumer name; default the idempotent consumer's name (dots replaced). */
  durable?: string;
  /** Event types to receive; default all (`<subjectPrefix>.>`). */
  types?: readonly string[];
  connection?: NatsConnection;
  /** Default NATS_URL or nats://127.0.0.1:4222; the connection is closed by `stop()`. */
  servers?: string | string[];
  /** Redelivery when a message is neither acked nor nacked in time. Default 30 000 ms. */
  ackWaitMs?: number;
  /** Messages buffered from the server. Default 100. */
  maxMessages?: number;
  /** Redelivery delay when the database itself fails. Default 1000 ms. */
  infraRetryDelayMs?: number;
  onError?: (error: Error) => void;
}

export interface NatsSubscription {
  /** Resolves when the first pull is set up. */
  readonly ready: Promise<void>;
  /** Stops pulling, waits for the message in hand, closes an owned connection. */
  stop(): Promise<void>;
}

const DURABLE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Feeds a JetStream durable consumer (created when missing) to an
 * IdempotentConsumer, one message at a time in stream order. Acks after
 * the outcome is committed; `retry` outcomes are nacked with the suggested delay.
 * @example
 * const sub = subscribeNats({ servers, stream: 'shop', consumer, types: ['OrderCreated'] });
 * await sub.ready;
 * // on shutdown: await sub.stop();
 */
export function subscribeNats(options: NatsSubscriptionOptions): NatsSubscription {
  const stream = resolveStream(options);
  const durable = options.durable ?? options.consumer.name.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!DURABLE.test(durable)) throw new MessagingConfigError('durable must be 1-64 chars of [A-Za-z0-9_-]');
  if (options.consumer.ordered && options.types !== undefined) {
    // A filtered subscription leaves holes in each key's sequence: every
    // event after a hole would wait out the park timeout.
    throw new MessagingConfigError('an ordered consumer must receive every event type: subscribe without `types` and let handlers choose');
  }
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const maxMessages = options.maxMessages ?? 100;
  const infraRetryDelayMs = options.infraRetryDelayMs ?? 1000;
  const onError = options.onError ?? ((e: Error) => console.warn(`[faultline] nats subscriber ${durable}: ${e.message}`));
  let messages: ConsumerMessages | undefined;
  let stopped = false;
  let owned: NatsConnection | undefined;

  const ready = (async () => {
    const nc = options.connection ?? (owned = await openConnection({
      servers: options.servers ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      connectTimeoutMs: 2000,
      name: `faultline-consumer-${durable}`,
    }));
    const jsm = await nc.jetstreamManager();
    await ensureStream(jsm, stream);
    try {
      await jsm.consumers.info(stream.stream, durable);
    } catch (e) {
      if (!isNotFoundError(e)) throw e;
      const filters = (options.types ?? []).map((t) => `${stream.subjectPrefix}.${t}`);
      await jsm.consumers.add(stream.stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(ackWaitMs),
        ...(filters.length === 1 ? { filter_subject: filters[0] } : filters.length > 1 ? { filter_subjects: filters } : {}),
      });
    }
    const c = await nc.jetstream().consumers.get(stream.stream, durable);
    if (stopped) return;
    messages = await c.consume({ max_messages: maxMessages });
  })();

  const loop = ready.then(async () => {
    if (!messages) return;
    for await (const m of messages) {
      try {
        const outcome = await options.consumer.handle(m.data, {
          system: 'nats',
          destination: m.subject,
          deliveryCount: m.info.redeliveryCount,
        });
        if (outcome.kind === 'retry') m.nak(outcome.retryInMs);
        else m.ack();
      } catch (e) {
        onError(e instanceof Error ? e : new Error(String(e)));
        m.nak(infraRetryDelayMs);
      }
      if (stopped) break;
    }
  });
  loop.catch(() => undefined);

  return {
    ready,
    async stop() {
      stopped = true;
      await ready.catch(() => undefined);
      messages?.stop();
      await loop.catch((e) => onError(e instanceof Error ? e : new Error(String(e))));
      if (owned) await owned.drain().catch(() => owned?.close());
    },
  };
}
