// Everything GET /metrics renders: request and call counters from the aggregates, breaker
// states, transaction gauges, and the collector's own health. Series are capped by
// `maxSeries` (FAULTLINE_METRICS_MAX_SERIES); see SeriesBudget for what happens past it.
import { LATENCY_BOUNDS_MS, type Stats } from '../analysis/index.js';
import type { TraceStore } from '../store/index.js';
import { AggregateCounters, EDGE_KEY_SEPARATOR } from './AggregateCounters.js';
import { BREAKER_GAUGE, type BreakerStates } from './BreakerStates.js';
import { type Labels, leSeconds, type MetricFamily, renderFamilies, type Sample } from './exposition.js';
import { type IngestCounters, WRITE_SECONDS_BOUNDS } from './IngestCounters.js';
import { OTHER, SeriesBudget } from './SeriesBudget.js';

export const METRICS_MAX_SERIES_DEFAULT = 10_000;
/** Series per label set: the histogram's buckets (+Inf included), _sum and _count, plus the counters. */
const HISTOGRAM_SERIES = LATENCY_BOUNDS_MS.length + 3;
export const SERIES_PER_SERVICE = 2 + HISTOGRAM_SERIES;
export const SERIES_PER_EDGE = 5 + HISTOGRAM_SERIES;
export const TRANSACTION_STATES = ['running', 'compensating', 'completed', 'compensated', 'failed', 'stuck'] as const;

export interface TransactionCount {
  type: string;
  state: (typeof TRANSACTION_STATES)[number];
  count: number;
}

export interface MetricsRegistryDeps {
  store: TraceStore;
  ingest: IngestCounters;
  breakers: BreakerStates;
  queueDepthSpans: () => number;
  /** Current transactions per type and state; absent: none tracked. */
  transactions?: () => TransactionCount[];
  maxSeries?: number;
}

const LE = LATENCY_BOUNDS_MS.map(leSeconds);

/** Bucket midpoints in seconds: the aggregates keep counts per bucket, not sums, so _sum is estimated from them. */
const MID_SECONDS = [...LATENCY_BOUNDS_MS.map((b, i) => (i === 0 ? b / 2 : (b + LATENCY_BOUNDS_MS[i - 1]!) / 2) / 1000), LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]! / 1000];

function histogramSamples(labels: Labels, h: readonly number[]): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  let sum = 0;
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
    cumulative += h[i] ?? 0;
    sum += (h[i] ?? 0) * MID_SECONDS[i]!;
    samples.push({ suffix: '_bucket', labels: { ...labels, le: LE[i]! }, value: cumulative });
  }
  const overflow = h[LATENCY_BOUNDS_MS.length] ?? 0;
  cumulative += overflow;
  sum += overflow * MID_SECONDS[LATENCY_BOUNDS_MS.length]!;
  samples.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: cumulative });
  samples.push({ suffix: '_sum', labels, value: Number(sum.toPrecision(12)) });
  samples.push({ suffix: '_count', labels, value: cumulative });
  return samples;
}

function sorted<T>(entries: Iterable<[string, T]>): [string, T][] {
  return [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export class MetricsRegistry {
  readonly budget: SeriesBudget;
  private readonly counters: AggregateCounters;

  constructor(private readonly deps: MetricsRegistryDeps) {
    this.budget = new SeriesBudget(deps.maxSeries ?? METRICS_MAX_SERIES_DEFAULT, {
      node: { cost: SERIES_PER_SERVICE },
      edge: { cost: SERIES_PER_EDGE },
      breaker: { cost: 1 },
      transactionType: { cost: TRANSACTION_STATES.length },
    });
    this.counters = new AggregateCounters(deps.store, this.budget);
  }

  async render(nowMs = Date.now()): Promise<string> {
    const { nodes, edges } = await this.counters.snapshot(nowMs);
    const f = (name: string, type: MetricFamily['type'], help: string, samples: Sample[] = []): MetricFamily => ({ name, type, help, samples });

    const requests = f('faultline_requests_total', 'counter', 'Requests served (server-side and root spans) per service.');
    const requestErrors = f('faultline_request_errors_total', 'counter', 'Requests that ended in error per service.');
    const requestDuration = f('faultline_request_duration_seconds', 'histogram', 'Request duration per service (_sum estimated from bucket midpoints).');
    for (const [service, s] of sorted<Stats>(nodes)) {
      const labels = { service };
      requests.samples.push({ labels, value: s.requests });
      requestErrors.samples.push({ labels, value: s.errors });
      requestDuration.samples.push(...histogramSamples(labels, s.histogram));
    }

    const calls = f('faultline_calls_total', 'counter', 'Calls from client service to server service (logical calls, retries included once).');
    const callErrors = f('faultline_call_errors_total', 'counter', 'Calls that failed as the client saw them.');
    const callDuration = f('faultline_call_duration_seconds', 'histogram', 'Call duration as the client saw it (_sum estimated from bucket midpoints).');
    const retries = f('faultline_call_retries_total', 'counter', 'Retries clients made.');
    const timeouts = f('faultline_call_timeouts_total', 'counter', 'Calls that ended on a timeout.');
    const shortCircuits = f('faultline_call_short_circuits_total', 'counter', 'Calls rejected by a breaker or bulkhead without reaching the server.');
    for (const [key, s] of sorted<Stats>(edges)) {
      const [client, server] = key.split(EDGE_KEY_SEPARATOR) as [string, string];
      const labels = { client, server };
      calls.samples.push({ labels, value: s.requests });
      callErrors.samples.push({ labels, value: s.errors });
      callDuration.samples.push(...histogramSamples(labels, s.histogram));
      retries.samples.push({ labels, value: s.retries });
      timeouts.samples.push({ labels, value: s.timeouts });
      shortCircuits.samples.push({ labels, value: s.shortCircuits });
    }

    const breakerGauge = new Map<string, { labels: Labels; value: number }>();
    for (const b of this.deps.breakers.list()) {
      const key = `${b.service}\u0000${b.breaker}\u0000${b.target}`;
      const own = this.budget.admit('breaker', key);
      const labels = own ? { service: b.service, breaker: b.breaker, target: b.target } : { service: OTHER, breaker: OTHER, target: OTHER };
      const k = own ? key : OTHER;
      const value = BREAKER_GAUGE[b.state];
      const prev = breakerGauge.get(k);
      breakerGauge.set(k, { labels, value: Math.max(prev?.value ?? 0, value) });
    }
    const breakers = f('faultline_breaker_state', 'gauge', 'Circuit breaker state from breaker.state span events: 0 closed, 1 half-open, 2 open.', sorted(breakerGauge).map(([, v]) => v));

    const txCounts = new Map<string, number>();
    for (const t of this.deps.transactions?.() ?? []) {
      const type = this.budget.admit('transactionType', t.type) ? t.type : OTHER;
      const k = `${type}\u0000${t.state}`;
      txCounts.set(k, (txCounts.get(k) ?? 0) + t.count);
    }
    const transactions = f(
      'faultline_transactions',
      'gauge',
      'Distributed transactions tracked per type and state (running, compensating, completed, compensated, failed, stuck).',
      sorted(txCounts).map(([k, value]) => {
        const [type, state] = k.split('\u0000') as [string, string];
        return { labels: { type, state }, value };
      }),
    );

    const ingest = this.deps.ingest;
    const write = f('faultline_store_write_seconds', 'histogram', 'Time to commit one batch of spans to storage.');
    WRITE_SECONDS_BOUNDS.forEach((b, i) => write.samples.push({ suffix: '_bucket', labels: { le: String(b) }, value: ingest.writeSecondsBuckets[i]! }));
    write.samples.push({ suffix: '_bucket', labels: { le: '+Inf' }, value: ingest.writeCount });
    write.samples.push({ suffix: '_sum', labels: {}, value: Number(ingest.writeSecondsSum.toPrecision(12)) });
    write.samples.push({ suffix: '_count', labels: {}, value: ingest.writeCount });

    const one = (value: number): Sample[] => [{ labels: {}, value }];
    const families: MetricFamily[] = [
      requests, requestErrors, requestDuration,
      calls, callErrors, callDuration, retries, timeouts, shortCircuits,
      breakers, transactions,
      f('faultline_spans_accepted_total', 'counter', 'Spans committed to storage.', one(ingest.spansAccepted)),
      f('faultline_spans_rejected_total', 'counter', 'Spans dropped by ingest limits (reported to senders as rejected).', one(ingest.spansRejected)),
      f('faultline_ingest_throttled_total', 'counter', 'Export requests refused for overload with a retry hint (429, gRPC UNAVAILABLE).', one(ingest.throttled)),
      f('faultline_write_queue_spans', 'gauge', 'Spans waiting in the write queue.', one(this.deps.queueDepthSpans())),
      write,
      f('faultline_metrics_series', 'gauge', 'Series of the capped families in use, including the reserved "other" label sets.', one(this.budget.seriesUsed)),
      f('faultline_metrics_series_max', 'gauge', 'The series cap (FAULTLINE_METRICS_MAX_SERIES).', one(this.budget.maxSeries)),
      f('faultline_metrics_series_dropped_total', 'counter', 'Label sets folded into "other" because the series cap was reached.', one(this.budget.droppedTotal)),
    ];
    return renderFamilies(families);
  }
}
