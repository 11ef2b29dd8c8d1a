import type { ServiceConfig } from './config.js';
import type { Db } from './db.js';
import { HttpTransport, NatsTransport, OutboxRelay, type EventTransport } from './events/index.js';

/** Starts the outbox relay: JetStream when NATS_URL is set, else HTTP to notifications. */
export async function startRelay(config: ServiceConfig, db: Db): Promise<OutboxRelay> {
  const transport: EventTransport = config.natsUrl
    ? await NatsTransport.connect(config.natsUrl, config.natsStream)
    : new HttpTransport(`${config.urls.notifications}/events`);
  const relay = new OutboxRelay(db, transport);
  relay.start();
  return relay;
}
