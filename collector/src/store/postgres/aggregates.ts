// How the shared aggregate reads (../aggregateQueries.ts) run on PostgreSQL.
import type { AggregateReader } from '../aggregateQueries.js';

export function postgresReader(query: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>): AggregateReader {
  return { all: query, param: (n) => `$${n}`, emptyHist: "'{}'::integer[]" };
}
