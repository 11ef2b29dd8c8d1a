/**
 * @faultline/sdk/messaging: events between services without the dual-write
 * problem. State change and event commit together (transactional outbox), a
 * relay publishes at least once, consumers apply each event once (inbox) and
 * optionally in per-key order, and one trace runs through it all.
 */
export {
  assertEnvelope,
  createEnvelope,
  ENVELOPE_LIMITS,
  parseEnvelope,
  validateEnvelope,
  type EventEnvelope,
  type NewEvent,
  type ValidationResult,
} from './envelope.js';
export {
  EnvelopeValidationError,
  isEnvelopeValidationError,
  isMessagingConfigError,
  MessagingConfigError,
} from './errors.js';
export type { OutboxLag, OutboxOptions, OutboxStore, PendingEvent } from './outbox/OutboxStore.js';
export { SqliteOutbox } from './outbox/SqliteOutbox.js';
export { PgOutbox } from './outbox/PgOutbox.js';
export { OutboxRelay, type OutboxRelayOptions, type RelayStats } from './relay/OutboxRelay.js';
export type { PublishResult, Transport } from './transport/Transport.js';
export { createNatsTransport, NatsTransport, type NatsTransportOptions } from './transport/NatsTransport.js';
export { subscribeNats, type NatsSubscription, type NatsSubscriptionOptions } from './transport/natsSubscriber.js';
export type { NatsStreamOptions } from './transport/natsSetup.js';
export { createRabbitMqTransport, RabbitMqTransport, type RabbitMqTransportOptions } from './transport/rabbitmq.js';
export { rabbitMqQueueOf, subscribeRabbitMq, type RabbitMqSubscription, type RabbitMqSubscriptionOptions } from './transport/rabbitmqSubscriber.js';
export { deleteRabbitMqStream, type RabbitMqTopologyOptions } from './transport/rabbitmqSetup.js';
export { createHttpTransport, HttpTransport, type HttpSubscriber, type HttpTransportOptions } from './transport/HttpTransport.js';
export { httpReceiver, type HttpReceiverOptions } from './transport/httpReceiver.js';
export {
  IdempotentConsumer,
  type DeadLetter,
  type DeliveryInfo,
  type EventHandler,
  type HandlerContext,
  type IdempotentConsumerOptions,
  type OrderingOptions,
} from './consumer/IdempotentConsumer.js';
export type { ConsumeOutcome, DeadLetterRow } from './consumer/steps.js';
export type { InboxDriver } from './consumer/InboxDriver.js';
export { SqliteInbox } from './consumer/SqliteInbox.js';
export { PgInbox } from './consumer/PgInbox.js';
export { MessagingAttributes, type TraceMode } from './telemetry.js';
export { DEFAULT_TABLE_PREFIX } from './sql/schema.js';
export { replayEvents, shuffled, type ReplayOptions } from './replay.js';
