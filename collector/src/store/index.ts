export type {
  AggregateQuery, AnnotationQuery, BreakerQuery, InsertResult, NamespaceQuery, NamespaceSummary, SampleQuery, SeriesBucket, SeriesQuery, SeriesSubject, ServiceSummary, StoreOptions, TimeRange, TraceQuery, TraceStore, TraceSummary,
} from './TraceStore.js';
export { DEFAULT_PENDING_EDGE_MS } from './TraceStore.js';
export { SqliteTraceStore } from './sqlite/SqliteTraceStore.js';
export { ThreadedSqliteStore } from './sqlite/ThreadedSqliteStore.js';
export type { SqliteStoreOptions } from './sqlite/SqliteTraceStore.js';
export { PostgresTraceStore } from './postgres/PostgresTraceStore.js';
export type { PostgresStoreOptions } from './postgres/PostgresTraceStore.js';
export { openStore } from './openStore.js';
export type { OpenStoreOptions } from './openStore.js';
