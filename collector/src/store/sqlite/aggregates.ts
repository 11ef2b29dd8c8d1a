// How the shared aggregate reads (../aggregateQueries.ts) run on SQLite.
import type Database from 'better-sqlite3';
import { type AggregateReader, CONSUMERS_SQL, consumersOf } from '../aggregateQueries.js';
import type { DestinationConsumers } from '../graphPlan.js';

export function sqliteReader(db: Database.Database): AggregateReader {
  return {
    all: async (sql, params) => db.prepare(sql).all(...params) as Record<string, unknown>[],
    param: () => '?',
    emptyHist: "'[]'",
  };
}

/** Synchronous: read inside the transaction that resolves expired calls. */
export function destinationConsumers(db: Database.Database): DestinationConsumers {
  return consumersOf(db.prepare(CONSUMERS_SQL).all() as Record<string, unknown>[]);
}
