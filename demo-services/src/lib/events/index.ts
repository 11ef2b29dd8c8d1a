export { type ShopEvent, parseEvent, newEventId } from './envelope.js';
export { OUTBOX_SCHEMA, enqueueEvent, pendingOutbox, type NewShopEvent } from './outbox.js';
export { INBOX_SCHEMA, consumeOnce } from './inbox.js';
export { OutboxRelay, type RelayOptions } from './relay.js';
export { HttpTransport, type EventTransport } from './transport.js';
export { NatsTransport, consumeNats, type NatsSubscription } from './nats.js';
