import { deleteRabbitMqStream } from '@faultline/sdk/messaging';
import { deleteStream } from './natsAdmin.js';

export type Broker = 'http' | 'nats' | 'rabbitmq';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** Consumer groups of the shop's event stream: declared by publishers too, so no event is dropped before they start. */
export const EVENT_GROUPS = ['notifications'] as const;

export interface BrokerChoice {
  broker: Broker;
  /** Set when broker is nats. */
  natsUrl?: string;
  /** Set when broker is rabbitmq. */
  amqpUrl?: string;
}

/**
 * `DEMO_BROKER`: `http`, `nats` (at NATS_URL) or `rabbitmq` (at AMQP_URL);
 * unset, `nats` when NATS_URL is set and `http` otherwise.
 */
export function resolveBroker(env: NodeJS.ProcessEnv = process.env): BrokerChoice {
  const raw = env.DEMO_BROKER || (env.NATS_URL ? 'nats' : 'http');
  if (raw === 'http') return { broker: 'http' };
  if (raw === 'nats') return { broker: 'nats', natsUrl: env.NATS_URL || DEFAULT_NATS_URL };
  if (raw === 'rabbitmq') return { broker: 'rabbitmq', amqpUrl: env.AMQP_URL || DEFAULT_AMQP_URL };
  throw new Error(`DEMO_BROKER must be http, nats or rabbitmq, got ${raw}`);
}

export function describeBroker(c: BrokerChoice): string {
  if (c.broker === 'nats') return `events over NATS JetStream at ${c.natsUrl}`;
  if (c.broker === 'rabbitmq') return `events over RabbitMQ at ${redact(c.amqpUrl!)}`;
  return 'events over HTTP';
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid AMQP_URL>';
  }
}

/** Removes a run's stream (NATS) or exchanges and queues (RabbitMQ) so runs on a shared broker leave nothing behind. */
export async function deleteEventStream(c: BrokerChoice, stream: string): Promise<void> {
  if (c.broker === 'nats') return deleteStream(c.natsUrl!, stream);
  if (c.broker === 'rabbitmq') await deleteRabbitMqStream({ url: c.amqpUrl!, stream, groups: EVENT_GROUPS });
}
