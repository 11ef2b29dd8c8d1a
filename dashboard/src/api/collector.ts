// Typed client for the collector's query API. Relative URLs: the collector serves the dashboard.
import { requestJson } from './http.js';
import type { DashboardConfig, Graph, RootCausesResponse, ServiceSummary, Trace, TraceSummary } from './types.js';
import { parseConfig, parseGraph, parseRootCauses, parseServices, parseTrace, parseTraceSummaries } from './validate.js';
import { parseAlerts, parseTransaction, parseTransactions } from './validateOps.js';
import type { Alert, TransactionDetail, TransactionState, TransactionSummary } from './types.js';

export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

export interface TraceQuery extends TimeWindow {
  service?: string;
  operation?: string;
  status?: 'error' | 'ok';
  minDurationMs?: number;
  correlationId?: string;
  /** Only traces whose spans' resource has this `service.namespace`. */
  namespace?: string;
  limit?: number;
}

function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') continue;
    p.set(k, typeof v === 'number' ? String(Math.round(v)) : v);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

const windowParams = (w: TimeWindow) => ({ from: w.fromMs, to: w.toMs });

export const collectorApi = {
  services: (w: TimeWindow, signal?: AbortSignal): Promise<ServiceSummary[]> =>
    requestJson(`api/services${qs(windowParams(w))}`, parseServices, { signal }),
  graph: (w: TimeWindow, signal?: AbortSignal): Promise<Graph> => requestJson(`api/graph${qs(windowParams(w))}`, parseGraph, { signal }),
  traces: (q: TraceQuery, signal?: AbortSignal): Promise<TraceSummary[]> =>
    requestJson(
      `api/traces${qs({
        ...windowParams(q),
        service: q.service,
        operation: q.operation,
        status: q.status,
        minDurationMs: q.minDurationMs,
        correlationId: q.correlationId,
        namespace: q.namespace,
        limit: q.limit,
      })}`,
      parseTraceSummaries,
      { signal },
    ),
  trace: (traceId: string, signal?: AbortSignal): Promise<Trace> =>
    requestJson(`api/traces/${encodeURIComponent(traceId)}`, parseTrace, { signal }),
  rootCauses: (w: TimeWindow, signal?: AbortSignal): Promise<RootCausesResponse> =>
    requestJson(`api/root-causes${qs(windowParams(w))}`, parseRootCauses, { signal }),
  config: (signal?: AbortSignal): Promise<DashboardConfig> => requestJson('api/config', parseConfig, { signal }),
  alerts: (w: TimeWindow & { state?: 'firing' | 'resolved' }, signal?: AbortSignal): Promise<Alert[]> =>
    requestJson(`api/alerts${qs({ ...windowParams(w), state: w.state })}`, parseAlerts, { signal }),
  transactions: (q: TimeWindow & { state?: TransactionState; type?: string; limit?: number }, signal?: AbortSignal): Promise<TransactionSummary[]> =>
    requestJson(`api/transactions${qs({ ...windowParams(q), state: q.state, type: q.type, limit: q.limit })}`, parseTransactions, { signal }),
  transaction: (id: string, signal?: AbortSignal): Promise<TransactionDetail> =>
    requestJson(`api/transactions/${encodeURIComponent(id)}`, parseTransaction, { signal }),
};

export const STREAM_URL = 'api/stream';
