import { connect, type Channel, type ChannelModel } from 'amqplib';
import { MessagingConfigError } from '../errors.js';

const NAME = /^[A-Za-z0-9_.:-]{1,200}$/;

export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Where a stream lives on RabbitMQ. One durable topic exchange per stream
 * (routing key = event type), one durable quorum queue per consumer group,
 * and one dead-letter exchange per stream feeding a `<queue>.dead-letter`
 * queue per group.
 */
export interface RabbitMqTopologyOptions {
  /** Stream name: the topic exchange (`[A-Za-z0-9_.:-]`, at most 200). */
  stream: string;
  /**
   * Broker-side backstop: a message delivered more than this many times is
   * dead-lettered by the quorum queue itself (`x-delivery-limit`), even when no
   * consumer survives long enough to decide. Must be the same wherever the
   * queue is declared. Default 50 (above the idempotent consumer's own
   * `maxDeliveries`, which dead-letters first and records why).
   */
  deliveryLimit?: number;
}

export interface RabbitMqTopology {
  readonly exchange: string;
  readonly deadLetterExchange: string;
  readonly deliveryLimit: number;
  queueOf(group: string): string;
  deadLetterQueueOf(group: string): string;
}

export function resolveTopology(o: RabbitMqTopologyOptions): RabbitMqTopology {
  if (!NAME.test(o.stream)) throw new MessagingConfigError('stream must be 1-200 chars of [A-Za-z0-9_.:-]');
  const deliveryLimit = o.deliveryLimit ?? 50;
  if (!Number.isInteger(deliveryLimit) || deliveryLimit < 1) throw new MessagingConfigError('deliveryLimit must be a positive integer');
  return {
    exchange: o.stream,
    deadLetterExchange: `${o.stream}.dead-letter`,
    deliveryLimit,
    queueOf: (group) => `${o.stream}.${group}`,
    deadLetterQueueOf: (group) => `${o.stream}.${group}.dead-letter`,
  };
}

export function checkGroup(group: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(group)) throw new MessagingConfigError('consumer group must be 1-64 chars of [A-Za-z0-9_-]');
}

export async function ensureExchange(ch: Channel, t: RabbitMqTopology): Promise<void> {
  await ch.assertExchange(t.exchange, 'topic', { durable: true });
}

/**
 * Declares a group's queue (quorum, bound to every routing key of the stream)
 * and its dead-letter queue. Idempotent; the arguments must match earlier
 * declarations of the same queue, or the broker closes the channel.
 */
export async function ensureGroupQueue(ch: Channel, t: RabbitMqTopology, group: string): Promise<string> {
  checkGroup(group);
  const queue = t.queueOf(group);
  const dlq = t.deadLetterQueueOf(group);
  await ensureExchange(ch, t);
  await ch.assertExchange(t.deadLetterExchange, 'direct', { durable: true });
  await ch.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(dlq, t.deadLetterExchange, queue);
  await ch.assertQueue(queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': t.deliveryLimit,
      'x-dead-letter-exchange': t.deadLetterExchange,
      'x-dead-letter-routing-key': queue,
    },
  });
  await ch.bindQueue(queue, t.exchange, '#');
  return queue;
}

/** One connection attempt, bounded; errors after it opened are reported, never thrown. */
export async function openAmqp(url: string, connectTimeoutMs: number, onError: (e: Error) => void): Promise<ChannelModel> {
  const conn = await connect(url, { timeout: connectTimeoutMs, clientProperties: { connection_name: 'faultline' } });
  conn.on('error', onError);
  return conn;
}

/** Redacts the password for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

/**
 * Deletes a stream's exchanges and the given groups' queues (dead-letter
 * queues included): for test runs and scenario drills on a shared broker.
 * @example
 * await deleteRabbitMqStream({ url, stream: 'shop-run-1', groups: ['notifications'] });
 */
export async function deleteRabbitMqStream(o: { url?: string; stream: string; groups: readonly string[] }): Promise<void> {
  const t = resolveTopology({ stream: o.stream });
  const conn = await openAmqp(o.url ?? process.env.AMQP_URL ?? DEFAULT_AMQP_URL, 2000, () => undefined);
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    for (const g of o.groups) {
      await ch.deleteQueue(t.queueOf(g));
      await ch.deleteQueue(t.deadLetterQueueOf(g));
    }
    await ch.deleteExchange(t.exchange);
    await ch.deleteExchange(t.deadLetterExchange);
  } finally {
    await conn.close().catch(() => undefined);
  }
}
