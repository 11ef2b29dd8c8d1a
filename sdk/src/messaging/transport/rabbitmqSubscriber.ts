import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { IdempotentConsumer } from '../consumer/IdempotentConsumer.js';
import { MessagingConfigError } from '../errors.js';
import { checkGroup, DEFAULT_AMQP_URL, ensureGroupQueue, openAmqp, resolveTopology, type RabbitMqTopologyOptions } from './rabbitmqSetup.js';

export interface RabbitMqSubscriptionOptions extends RabbitMqTopologyOptions {
  consumer: IdempotentConsumer<any>;
  /** Consumer group: queue `<stream>.<group>`. Default the idempotent consumer's name (non-word chars replaced). */
  group?: string;
  /** Default AMQP_URL or amqp://guest:guest@127.0.0.1:5672. */
  url?: string;
  /** Unacknowledged messages the broker may hand this consumer (basic.qos). Default 50, max 10 000. */
  prefetch?: number;
  /** Redelivery delay when the database itself fails. Default 1000 ms. */
  infraRetryDelayMs?: number;
  /** First reconnect delay after the broker went away; doubles up to 5 s. Default 100 ms. */
  reconnectInitialDelayMs?: number;
  onError?: (error: Error) => void;
}

export interface RabbitMqSubscription {
  /** Resolves when the queue is declared and consuming (first connection). */
  readonly ready: Promise<void>;
  /** Times the subscription (re)connected; 1 after `ready`. */
  readonly connections: number;
  /** Stops consuming, waits for the message in hand, closes the connection; held messages are requeued. */
  stop(): Promise<void>;
}

interface Held {
  ch: Channel;
  msg: ConsumeMessage;
}

/**
 * Feeds a consumer group's quorum queue (declared when missing, bound to
 * every event type of the stream) to an IdempotentConsumer with manual acks
 * and a bounded prefetch, one message at a time in queue order. Acks after
 * the outcome is committed. `retry` outcomes stay unacknowledged for the
 * suggested delay, then are requeued (the quorum queue counts the delivery);
 * dead-lettered outcomes are rejected so that the broker moves them to
 * `<stream>.<group>.dead-letter`. After a broker restart it reconnects with
 * backoff; unacknowledged messages come back and the inbox drops the ones
 * already applied.
 * @example
 * const sub = subscribeRabbitMq({ url, stream: 'shop', consumer });
 * await sub.ready;
 * // on shutdown: await sub.stop();
 */
export function subscribeRabbitMq(options: RabbitMqSubscriptionOptions): RabbitMqSubscription {
  const topology = resolveTopology(options);
  const group = options.group ?? options.consumer.name.replace(/[^A-Za-z0-9_-]/g, '_');
  checkGroup(group);
  const prefetch = options.prefetch ?? 50;
  if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > 10_000) throw new MessagingConfigError('prefetch must be an integer in 1..10000');
  const url = options.url ?? process.env.AMQP_URL ?? DEFAULT_AMQP_URL;
  const infraRetryDelayMs = options.infraRetryDelayMs ?? 1000;
  const reconnectInitialDelayMs = options.reconnectInitialDelayMs ?? 100;
  const onError = options.onError ?? ((e: Error) => console.warn(`[faultline] rabbitmq subscriber ${group}: ${e.message}`));
  const queueName = topology.queueOf(group);

  let stopped = false;
  let connections = 0;
  let conn: ChannelModel | undefined;
  let current: Channel | undefined;
  const buffer: Held[] = [];
  const delayed = new Map<NodeJS.Timeout, Held>();
  let wakeWorker: (() => void) | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnectDelayMs = reconnectInitialDelayMs;
  let lastError = '';

  function report(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    if (err.message === lastError) return; // once per failure streak
    lastError = err.message;
    onError(err);
  }

  async function connectOnce(): Promise<void> {
    const c = await openAmqp(url, 2000, report);
    try {
      const ch = await c.createChannel();
      ch.on('error', report);
      await ch.prefetch(prefetch);
      await ensureGroupQueue(ch, topology, group);
      const lost = () => {
        if (current === ch) current = undefined;
        // Deliveries of a dead channel come back from the broker; never ack them on another.
        for (let i = buffer.length - 1; i >= 0; i--) if (buffer[i]!.ch === ch) buffer.splice(i, 1);
        c.close().catch(() => undefined);
        if (conn === c) conn = undefined;
        scheduleReconnect();
      };
      ch.on('close', lost);
      c.on('close', lost);
      if (stopped) {
        await c.close().catch(() => undefined);
        return;
      }
      conn = c;
      current = ch;
      await ch.consume(queueName, (msg) => {
        if (!msg) return lost(); // cancelled by the broker (queue deleted)
        buffer.push({ ch, msg });
        wakeWorker?.();
      }, { noAck: false });
      connections++;
      reconnectDelayMs = reconnectInitialDelayMs;
      lastError = '';
    } catch (e) {
      await c.close().catch(() => undefined);
      throw e;
    }
  }

  function scheduleReconnect(): void {
    if (stopped || reconnectTimer || conn) return;
    const delay = reconnectDelayMs * (0.8 + 0.4 * Math.random());
    reconnectDelayMs = Math.min(5000, reconnectDelayMs * 2);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (stopped || conn) return;
      connectOnce().catch((e) => {
        report(e);
        scheduleReconnect();
      });
    }, delay);
  }

  function settle(h: Held, action: 'ack' | 'requeue' | 'reject'): void {
    if (h.ch !== current) return; // channel gone: the broker redelivers it
    try {
      if (action === 'ack') h.ch.ack(h.msg);
      else h.ch.nack(h.msg, false, action === 'requeue');
    } catch (e) {
      report(e);
    }
  }

  function requeueLater(h: Held, delayMs: number): void {
    const t = setTimeout(() => {
      delayed.delete(t);
      settle(h, 'requeue');
    }, delayMs);
    delayed.set(t, h);
  }

  async function handle(h: Held): Promise<void> {
    const raw = h.msg.content;
    const counted = h.msg.properties.headers?.['x-delivery-count'];
    // x-delivery-count: earlier failed deliveries (quorum queues); absent on the first. deliveryCount is 1 on the first.
    const earlier = typeof counted === 'number' ? counted : h.msg.fields.redelivered ? 1 : 0;
    const deliveryCount = earlier + 1;
    try {
      const outcome = await options.consumer.handle(raw, {
        system: 'rabbitmq',
        destination: `${h.msg.fields.exchange}.${h.msg.fields.routingKey}`,
        deliveryCount,
      });
      if (outcome.kind === 'retry') requeueLater(h, outcome.retryInMs);
      else if (outcome.kind === 'dead-lettered') settle(h, 'reject');
      else settle(h, 'ack');
    } catch (e) {
      report(e);
      requeueLater(h, infraRetryDelayMs);
    }
  }

  const ready = connectOnce();
  ready.catch(() => undefined);

  const worker = ready.then(async () => {
    while (!stopped) {
      const next = buffer.shift();
      if (next) {
        if (next.ch === current) await handle(next);
        continue;
      }
      await new Promise<void>((resolve) => (wakeWorker = resolve));
      wakeWorker = undefined;
    }
  });
  worker.catch(() => undefined);

  return {
    ready,
    get connections() {
      return connections;
    },
    async stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      wakeWorker?.();
      await worker.catch(() => undefined);
      for (const [t, h] of delayed) {
        clearTimeout(t);
        settle(h, 'requeue');
      }
      delayed.clear();
      buffer.length = 0;
      const c = conn;
      conn = undefined;
      current = undefined;
      await c?.close().catch(() => undefined);
    },
  };
}

/** The queue a group consumes: for admin tools and tests. */
export function rabbitMqQueueOf(stream: string, group: string): string {
  return resolveTopology({ stream }).queueOf(group);
}
