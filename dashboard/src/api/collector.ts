// Typed client for the collector's query API. Relative URLs: the collector serves the dashboard.
import { requestJson } from './http.js';
import * as s from './schemas.js';
import type {
  Alert, Annotation, Breaker, DashboardConfig, Graph, RootCausesResponse, Run, SeriesAnswer, ServiceSummary, Trace, TraceSummary,
  TransactionDetail, TransactionState, TransactionSummary,
} from './types.js';
import { parserFor } from './validate.js';

export interface TimeWindow {
  fromMs: number;
  toMs: number;
  /**
   * The selected run (`service.namespace`); absent for all runs. Every call the collector
   * filters by run sends it as `namespace`, so pages pass their window and never add it themselves.
   */
  run?: string;
}

export interface TraceQuery extends TimeWindow {
  service?: string;
  operation?: string;
  status?: 'error' | 'ok';
  minDurationMs?: number;
  maxDurationMs?: number;
  correlationId?: string;
  /** Exact matches on span attributes, `key=value` each, sent as repeated `attr`. */
  attrs?: readonly string[];
  traceIds?: string[];
  /** Only traces whose spans' resource has this `service.namespace`; defaults to the window's run. */
  namespace?: string;
  limit?: number;
}

/** What a series is about: one service, one edge, or (neither) the whole system. */
export type SeriesSubject = { service: string } | { source: string; target: string } | Record<string, never>;

type ParamValue = string | number | undefined | readonly string[];

export function qs(params: Record<string, ParamValue>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') continue;
    if (Array.isArray(v)) for (const x of v as readonly string[]) p.append(k, x);
    else p.set(k, typeof v === 'number' ? String(Math.round(v)) : (v as string));
  }
  const str = p.toString();
  return str ? `?${str}` : '';
}

const windowParams = (w: TimeWindow) => ({ from: w.fromMs, to: w.toMs });
/** For the answers the collector filters by run (services, graph, series, root causes, annotations, breakers, traces). */
const runParams = (w: TimeWindow) => ({ ...windowParams(w), namespace: w.run });

const parse = {
  services: parserFor(s.servicesSchema, 'services'),
  graph: parserFor(s.graphSchema, 'graph'),
  traces: parserFor(s.traceSummariesSchema, 'traces'),
  trace: parserFor(s.traceSchema, 'trace'),
  rootCauses: parserFor(s.rootCausesSchema, 'root-causes'),
  series: parserFor(s.seriesSchema, 'series'),
  breakers: parserFor(s.breakersSchema, 'breakers'),
  annotations: parserFor(s.annotationsSchema, 'annotations'),
  namespaces: parserFor(s.namespacesSchema, 'namespaces'),
  config: parserFor(s.configSchema, 'config'),
  alerts: parserFor(s.alertsSchema, 'alerts'),
  transactions: parserFor(s.transactionsSchema, 'transactions'),
  transaction: parserFor(s.transactionDetailSchema, 'transaction'),
};

export function traceQueryString(q: TraceQuery): string {
  return qs({
    ...windowParams(q),
    // A namespace typed into the trace search wins over the selected run.
    namespace: q.namespace || q.run,
    service: q.service,
    operation: q.operation,
    status: q.status,
    minDurationMs: q.minDurationMs,
    maxDurationMs: q.maxDurationMs,
    correlationId: q.correlationId,
    attr: q.attrs && q.attrs.length > 0 ? q.attrs : undefined,
    traceId: q.traceIds,
    limit: q.limit,
  });
}

/** A client for the collector at `baseUrl` (with a trailing slash; '' for the page's own origin). */
export function createCollectorApi(baseUrl = '') {
  const at = (path: string) => `${baseUrl}${path}`;
  return {
  services: (w: TimeWindow, signal?: AbortSignal): Promise<ServiceSummary[]> => requestJson(at(`api/services${qs(runParams(w))}`), parse.services, { signal }),
  graph: (w: TimeWindow, signal?: AbortSignal): Promise<Graph> => requestJson(at(`api/graph${qs(runParams(w))}`), parse.graph, { signal }),
  traces: (q: TraceQuery, signal?: AbortSignal): Promise<TraceSummary[]> => requestJson(at(`api/traces${traceQueryString(q)}`), parse.traces, { signal }),
  trace: (traceId: string, signal?: AbortSignal): Promise<Trace> => requestJson(at(`api/traces/${encodeURIComponent(traceId)}`), parse.trace, { signal }),
  rootCauses: (w: TimeWindow, signal?: AbortSignal): Promise<RootCausesResponse> => requestJson(at(`api/root-causes${qs(runParams(w))}`), parse.rootCauses, { signal }),
  series: (w: TimeWindow & { stepMs?: number }, subject: SeriesSubject, signal?: AbortSignal): Promise<SeriesAnswer> =>
    requestJson(at(`api/series${qs({ ...runParams(w), stepMs: w.stepMs, ...subject })}`), parse.series, { signal }),
  breakers: (w: TimeWindow & { service?: string }, signal?: AbortSignal): Promise<Breaker[]> =>
    requestJson(at(`api/breakers${qs({ ...runParams(w), service: w.service })}`), parse.breakers, { signal }),
  annotations: (w: TimeWindow, signal?: AbortSignal): Promise<Annotation[]> => requestJson(at(`api/annotations${qs(runParams(w))}`), parse.annotations, { signal }),
  /** The runs with data in the window (never filtered by the selected run: it is what the selector lists). */
  namespaces: (w: TimeWindow, signal?: AbortSignal): Promise<Run[]> => requestJson(at(`api/namespaces${qs(windowParams(w))}`), parse.namespaces, { signal }),
  config: (signal?: AbortSignal): Promise<DashboardConfig> => requestJson(at('api/config'), parse.config, { signal }),
  alerts: (w: TimeWindow & { state?: 'firing' | 'resolved' }, signal?: AbortSignal): Promise<Alert[]> =>
    requestJson(at(`api/alerts${qs({ ...windowParams(w), state: w.state })}`), parse.alerts, { signal }),
  transactions: (q: TimeWindow & { state?: TransactionState; type?: string; limit?: number }, signal?: AbortSignal): Promise<TransactionSummary[]> =>
    requestJson(at(`api/transactions${qs({ ...windowParams(q), state: q.state, type: q.type, limit: q.limit })}`), parse.transactions, { signal }),
  transaction: (id: string, signal?: AbortSignal): Promise<TransactionDetail> =>
    requestJson(at(`api/transactions/${encodeURIComponent(id)}`), parse.transaction, { signal }),
  };
}

export const collectorApi = createCollectorApi();

export const collectorParsers = parse;
export const STREAM_URL = 'api/stream';
