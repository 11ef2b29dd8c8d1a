// The storage interface every backend implements. Writes happen through the write queue
// only (one batch at a time per process); reads come from the API.
import type { GraphInput, RedFigures, ServiceSeries } from '../analysis/index.js';
import type { SpanRecord } from '../model.js';

export interface TimeRange {
  fromMs: number;
  toMs: number;
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
  limit: number;
}

export interface SampleQuery extends TimeRange {
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
   * the trace summaries and the pairing state. Resolves once committed (durable).
   */
  insertSpans(spans: readonly SpanRecord[], nowMs?: number): Promise<InsertResult>;
  /** Gives caller spans that waited longer than pendingEdgeMs for their callee an edge to their hint. Returns how many. */
  resolvePendingEdges(nowMs?: number): Promise<number>;
  services(range: TimeRange): Promise<ServiceSummary[]>;
  /** Aggregates for buildGraph, including caller spans still waiting for their callee. */
  graphInput(range: TimeRange): Promise<GraphInput>;
  /** Per-minute stats of entry (root) spans per service, for incident detection. */
  entrySeries(range: TimeRange): Promise<ServiceSeries[]>;
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
