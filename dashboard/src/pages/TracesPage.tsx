import { useEffect, useState, type FormEvent } from 'react';
import { collectorApi } from '../api/collector.js';
import type { TraceSummary } from '../api/types.js';
import { EmptyState, ErrorState, Loading, NoTelemetryHint, Warnings } from '../components/StateViews.js';
import { useApi } from '../hooks/useApi.js';
import { useDashboard } from '../hooks/useDashboard.js';
import { formatDateTime, formatMs, serviceColor } from '../model/format.js';
import { linkTo } from '../model/route.js';
import { describeRange } from '../model/timeRange.js';
import { parseTraceFilters, traceFilterParams, type TraceFilters } from '../model/traceSearch.js';

export function TracesPage() {
  const d = useDashboard();
  const { params, setParams } = d.location;
  const { result: filters, warnings } = parseTraceFilters(params);
  const key = `traces:${d.rangeKey}:${JSON.stringify(filters)}`;
  const services = useApi(`services:${d.rangeKey}`, d.tick, (signal) => collectorApi.services(d.window, signal));
  // One call whatever the filters: the collector filters by correlation id, and with service=X
  // it also finds traces in which callers' calls to X failed while X sent no spans.
  const traces = useApi(key, d.tick, (signal) =>
    collectorApi.traces(
      {
      ...d.window,
      service: filters.service || undefined,
      operation: filters.operation || undefined,
      status: filters.status || undefined,
      minDurationMs: filters.minDurationMs ?? undefined,
      maxDurationMs: filters.maxDurationMs ?? undefined,
      attrs: filters.attrs,
      correlationId: filters.correlationId || undefined,
      namespace: filters.namespace || undefined,
      limit: filters.limit,
      },
      signal,
    ),
  );

  return (
    <main className="page page-traces">
      <div className="page-head">
        <h1>Traces</h1>
        <span className="muted">{describeRange(d.range)}</span>
      </div>
      <TraceSearchForm filters={filters} run={d.run} services={services.data?.map((s) => s.name) ?? []} onSubmit={(f) => setParams(traceFilterParams(f))} />
      <Warnings warnings={warnings} />
      {traces.loading ? (
        <Loading what="traces" />
      ) : traces.error && !traces.data ? (
        <ErrorState error={traces.error} onRetry={traces.reload} />
      ) : traces.data && traces.data.length === 0 ? (
        <EmptyState title="No traces match">
          <p>Loosen the filters or widen the time range.</p>
          {services.data?.length === 0 && <NoTelemetryHint />}
        </EmptyState>
      ) : traces.data ? (
        <TraceTable traces={traces.data} params={params} />
      ) : null}
    </main>
  );
}

function TraceSearchForm({ filters, run, services, onSubmit }: { filters: TraceFilters; run: string | null; services: string[]; onSubmit: (f: TraceFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  const filterKey = JSON.stringify(filters);
  useEffect(() => setDraft(filters), [filterKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(draft);
  };
  const serviceOptions = [...new Set([...services, ...(filters.service ? [filters.service] : [])])].sort();
  return (
    <form className="panel search-form" onSubmit={submit} aria-label="Trace search" data-testid="trace-search">
      <label>
        service
        <select value={draft.service} onChange={(e) => setDraft({ ...draft, service: e.target.value })} name="service">
          <option value="">any</option>
          {serviceOptions.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        operation
        <input value={draft.operation} onChange={(e) => setDraft({ ...draft, operation: e.target.value })} placeholder="any" name="operation" />
      </label>
      <label>
        status
        <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value as TraceFilters['status'] })} name="status">
          <option value="">any</option>
          <option value="error">error</option>
          <option value="ok">ok</option>
        </select>
      </label>
      <label>
        min duration (ms)
        <input type="number" min={0} value={draft.minDurationMs ?? ''} onChange={(e) => setDraft({ ...draft, minDurationMs: e.target.value === '' ? null : Number(e.target.value) })} name="minDurationMs" />
      </label>
      <label>
        max duration (ms)
        <input type="number" min={0} value={draft.maxDurationMs ?? ''} onChange={(e) => setDraft({ ...draft, maxDurationMs: e.target.value === '' ? null : Number(e.target.value) })} name="maxDurationMs" />
      </label>
      <label>
        attribute
        <input value={draft.attrs.join(' ')} onChange={(e) => setDraft({ ...draft, attrs: e.target.value.split(/\s+/).filter(Boolean) })} placeholder="key=value" name="attr" title="exact span attribute matches, key=value, several separated by spaces" />
      </label>
      <label>
        correlation id
        <input value={draft.correlationId} onChange={(e) => setDraft({ ...draft, correlationId: e.target.value.trim() })} placeholder="x-correlation-id" name="correlationId" pattern="[A-Za-z0-9._:\-]{1,128}" />
      </label>
      <label>
        namespace
        <input value={draft.namespace} onChange={(e) => setDraft({ ...draft, namespace: e.target.value.trim() })} placeholder={run ?? 'service.namespace'} title={run ? `empty: the selected run (${run})` : 'one run; empty: all runs'} name="namespace" maxLength={256} />
      </label>
      <label>
        limit
        <input type="number" min={1} max={1000} value={draft.limit} onChange={(e) => setDraft({ ...draft, limit: Number(e.target.value) || 50 })} name="limit" />
      </label>
      <button type="submit">Search</button>
    </form>
  );
}

function TraceTable({ traces, params }: { traces: TraceSummary[]; params: URLSearchParams }) {
  const maxDuration = Math.max(1, ...traces.map((t) => t.durationMs));
  return (
    <section className="panel">
      <h2>
        {traces.length} trace{traces.length === 1 ? '' : 's'} <span className="muted">newest first</span>
      </h2>
      <table className="trace-table" data-testid="trace-table">
        <thead>
          <tr>
            <th>start</th>
            <th>root</th>
            <th>duration</th>
            <th>spans</th>
            <th>errors</th>
            <th>services</th>
          </tr>
        </thead>
        <tbody>
          {traces.map((t) => (
            <tr key={t.traceId} data-testid="trace-row" data-trace-id={t.traceId} data-errors={t.errorCount}>
              <td>{formatDateTime(t.startMs)}</td>
              <td>
                <a href={linkTo({ page: 'trace', traceId: t.traceId }, params)}>
                  {t.rootService || '?'} · {t.rootOperation || '?'}
                </a>
              </td>
              <td className="dur-cell">
                <span className="dur-bar" style={{ width: `${(t.durationMs / maxDuration) * 100}%` }} />
                {formatMs(t.durationMs)}
              </td>
              <td>{t.spanCount}</td>
              <td>{t.errorCount > 0 ? <span className="err-tag">✕ {t.errorCount} error{t.errorCount === 1 ? '' : 's'}</span> : <span className="ok-tag">ok</span>}</td>
              <td>
                {t.services.map((s) => (
                  <span key={s} className="svc-chip" style={{ borderColor: serviceColor(s), color: serviceColor(s) }}>
                    {s}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
