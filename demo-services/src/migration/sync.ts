import { IdempotentConsumer, SqliteInbox, subscribeNats } from '@faultline/sdk/messaging';
import type { ServiceConfig } from '../lib/config.js';
import type { Db } from '../lib/db.js';
import { EVENT_TYPES } from '../lib/publisher.js';
import { applyReplicated, type Domain } from './replica.js';

export interface Replication {
  close(): Promise<void>;
}

/**
 * The data sync of a migration: this side's idempotent consumer of the other
 * side's events (durable `<service>-sync` on the run's JetStream stream),
 * applying them to its own tables. `accept` picks the events of the other
 * side by their `source`. Every event type is delivered (per-key ordering
 * needs the whole sequence), the ones for other tables are no-ops.
 */
export async function startReplication(config: ServiceConfig, db: Db, domains: readonly Domain[], accept: (source: string) => boolean): Promise<Replication | undefined> {
  if (config.broker !== 'nats' || !config.natsUrl) {
    console.warn(`${config.name}: data sync needs NATS JetStream (BROKER=nats, NATS_URL); not replicating`);
    return undefined;
  }
  const own = new Set(domains);
  const name = `${config.name}-sync`;
  const consumer = new IdempotentConsumer<Db>({
    name,
    inbox: new SqliteInbox(db),
    ordering: { parkTimeoutMs: 30_000, sweepIntervalMs: 500 },
    handlers: Object.fromEntries(
      EVENT_TYPES.map((type) => [
        type,
        (event: Parameters<typeof applyReplicated>[1], { tx }: { tx: Db }) => {
          if (accept(event.source)) applyReplicated(tx, event, own);
        },
      ]),
    ),
  });
  await consumer.ensureSchema();
  const subscription = subscribeNats({ stream: config.natsStream, consumer, servers: config.natsUrl, durable: name, ackWaitMs: 5000 });
  await subscription.ready;
  return {
    async close() {
      await subscription.stop();
      await consumer.close();
    },
  };
}
