// Public API of @faultline/collector.
export { startCollector } from './server.js';
export type { RunningCollector } from './server.js';
export { resolveCollectorOptions } from './config.js';
export type { CollectorOptions, ResolvedCollectorOptions } from './config.js';
export type { SpanRecord, SpanEventRecord, SpanLinkRecord, SpanKindName, SpanStatus, Attributes, AttrValue } from './model.js';
export type { TraceStore } from './store/index.js';
export { DEFAULT_INGEST_LIMITS } from './ingest/index.js';
export type { IngestLimits } from './ingest/index.js';
