// The storage interface every backend implements. Writes happen through the write queue
// only (one batch at a time per process); reads come from the API.
import type { GraphInput, RedFigures, ServiceSeries, Stats } from '../analysis/index.js';
import type { BreakerTransition, StoredAnnotation } from '../analysis/faultAnnotations.js';
import type { SpanRecord } from '../model.js';

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** A time range of aggregates, optionally of one run only (`service.namespace`, '' for spans without one). */
export interface AggregateQuery extends TimeRange {
  namespace?: string;
}

/**
 * What a series is of: one service's own spans, one caller → callee edge, every call into a
 * service as its callers saw it, or requests entering the system.
 */
export type SeriesSubject = { service: string } | { source: string; target: string } | { callersOf: string } | { system: true };

export interface SeriesQuery extends AggregateQuery {
  of: SeriesSubject;
}

/** One minute of a series: its start and its merged stats (namespaces added up). */
export interface SeriesBucket {
  bucketMs: number;
  stats: Stats;
}

export interface AnnotationQuery extends AggregateQuery {
  /** Rows read at most. */
  limit: number;
}

export interface BreakerQuery extends AggregateQuery {
  service?: string;
  /** Transitions read at most. */
  limit: number;
}

export interface NamespaceQuery extends TimeRange {
  /** Runs returned at most (the newest). */
  limit: number;
}

/** A run (`service.namespace`) and the minutes of the range in which it reported. */
export interface NamespaceSummary {
  namespace: string;
  /** Start of the first minute of the range holding its data. */
  firstMs: number;
  /** Start of the last minute of the range holding its data. */
  lastMs: number;
  /** Its requests (server-side spans) in the range. */
  requests: number;
}

export interface ServiceSummary extends RedFigures {
  name: string;
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootOperation: string;
  startMs: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface TraceQuery extends TimeRange {
  service?: string;
  operation?: string;
  status?: 'error' | 'ok';
  minDurationMs?: number;
  /** Only traces with a span whose resource has this `service.namespace` (one run of a shop among several). */
  namespace?: string;
  /** Traces carrying this correlation id (indexed). */
  correlationId?: string;
  /** Traces with a span whose attribute `key` equals `value` (as a string), every pair. */
  attributes?: readonly { key: string; value: string }[];
  maxDurationMs?: number;
  /** Only these traces. */
  traceIds?: readonly string[];
  limit: number;
}

export interface SampleQuery extends TimeRange {
  /** Only traces of this run (`service.namespace` of the trace's first span). */
  namespace?: string;
  /** Whole traces returned at most. */
  maxTraces: number;
  /**
   * 'failing' (default): error traces first, then the latest; 'recent': the latest, as a baseline of normal;
   * 'spread': evenly over time (up to maxTraces / SPREAD_SLICES per slice of the range), for detection.
   */
  prefer?: 'failing' | 'recent' | 'spread';
}

/** Time slices a 'spread' sample divides its range into. */
export const SPREAD_SLICES = 60;

export interface InsertResult {
  /** Spans newly stored; re-sent duplicates (same traceId and spanId) are ignored. */
  inserted: number;
}

export interface TraceStore {
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Stores the spans and, in the same transaction, the per-minute node and edge aggregates,
   * the trace summaries, the pairing state, injected-fault annotations and breaker
   * transitions. Spans of the fault recorder are kept as annotations only. Resolves once
   * committed (durable).
   */
  insertSpans(spans: readonly SpanRecord[], nowMs?: number): Promise<InsertResult>;
  /** Gives caller spans that waited longer than pendingEdgeMs for their callee an edge to their hint. Returns how many. */
  resolvePendingEdges(nowMs?: number): Promise<number>;
  services(range: AggregateQuery): Promise<ServiceSummary[]>;
  /** Per-minute aggregates for buildGraph, including caller spans still waiting for their callee. */
  graphInput(range: AggregateQuery): Promise<GraphInput>;
  /** Per-minute stats of entry (root, not background) spans per service, for incident detection. */
  entrySeries(range: AggregateQuery): Promise<ServiceSeries[]>;
  /** Per-minute stats of a service, an edge or the whole system, by minute; minutes without data are absent. */
  series(query: SeriesQuery): Promise<SeriesBucket[]>;
  /** The runs with aggregates in the range (spans without a namespace are no run), newest first. */
  namespaces(query: NamespaceQuery): Promise<NamespaceSummary[]>;
  /** Inserts, or for an existing id widens its time span to cover both. */
  upsertAnnotations(annotations: readonly StoredAnnotation[]): Promise<void>;
  /** Annotations overlapping the range, by time. */
  annotations(query: AnnotationQuery): Promise<StoredAnnotation[]>;
  /** Breaker transitions in the range, by time. */
  breakerTransitions(query: BreakerQuery): Promise<BreakerTransition[]>;
  listTraces(query: TraceQuery): Promise<TraceSummary[]>;
  /** Every span of a trace, by start time; [] when unknown. */
  getTrace(traceId: string): Promise<SpanRecord[]>;
  /** A bounded sample of whole traces that started in the range. */
  sampleSpans(query: SampleQuery): Promise<SpanRecord[]>;
  /** Deletes up to `maxTraces` traces that ended before `cutoffMs` (and aggregates older than it). Returns traces deleted. */
  prune(cutoffMs: number, maxTraces: number): Promise<number>;
  /** Throws unless storage is open and writable. */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** How long a caller span waits for its callee's span before its edge goes to the callee hint. Default 5,000 ms. */
  pendingEdgeMs?: number;
}

export const DEFAULT_PENDING_EDGE_MS = 5_000;
/** Unpaired server spans and attempt aliases are kept this long for late caller spans. */
export const PAIRING_MEMORY_MS = 120_000;
