import { createHttpTransport, createNatsTransport, createRabbitMqTransport, OutboxRelay, type SqliteOutbox, type Transport } from '@faultline/sdk/messaging';
import type { ServiceConfig } from './config.js';

/** Every event type the shop publishes; notifications subscribes to all of them. */
export const EVENT_TYPES = [
  'OrderCreated',
  'OrderConfirmed',
  'OrderCancelled',
  'PaymentCaptured',
  'PaymentRefunded',
  'StockReserved',
  'StockReleased',
  'ShipmentCreated',
  'ShipmentCancelled',
] as const;

/** JetStream or RabbitMQ (BROKER), else HTTP POSTs to notifications' `/events`. */
export function eventTransport(config: ServiceConfig): Transport {
  if (config.broker === 'rabbitmq') {
    // Declaring notifications' queue here keeps events published before notifications first started.
    return createRabbitMqTransport({ stream: config.natsStream, url: config.amqpUrl, consumerGroups: ['notifications'] });
  }
  return config.broker === 'nats' && config.natsUrl
    ? createNatsTransport({ stream: config.natsStream, servers: config.natsUrl })
    : createHttpTransport({ subscribers: [{ url: `${config.urls.notifications}/events` }], timeoutMs: 2000 });
}

/** Starts the outbox relay; failures while the broker or notifications is down are retried with backoff. */
export function startRelay(config: ServiceConfig, outbox: SqliteOutbox): OutboxRelay {
  const relay = new OutboxRelay({
    outbox,
    transport: eventTransport(config),
    pollIntervalMs: 100,
    retryMaxDelayMs: 2000,
    onError: (err) => console.warn(`${config.name}: event relay: ${err.message}`),
  });
  relay.start();
  return relay;
}
