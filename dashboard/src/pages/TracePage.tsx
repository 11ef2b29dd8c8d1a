import { useMemo, useState } from 'react';
import { collectorApi } from '../api/collector.js';
import type { Span } from '../api/types.js';
import { EmptyState, ErrorState, Loading, Warnings } from '../components/StateViews.js';
import { MarkerLegend, Waterfall } from '../components/Waterfall.js';
import { useApi } from '../hooks/useApi.js';
import { useDashboard } from '../hooks/useDashboard.js';
import { formatDateTime, formatMs, serviceColor } from '../model/format.js';
import { linkTo } from '../model/route.js';
import { criticalPath, sectionsBySpan } from '../model/criticalPath.js';
import { correlationIds } from '../model/traceSearch.js';
import { buildWaterfall, firstErrorIndex, markerLabel, visibleRows } from '../model/waterfall.js';

const TRACE_ID = /^[0-9a-f]{32}$/i;

export function TracePage({ traceId }: { traceId: string }) {
  const d = useDashboard();
  const valid = TRACE_ID.test(traceId);
  // A stored trace does not change once complete: fetch it once per id, not on every live tick.
  const trace = useApi(valid ? `trace:${traceId}` : null, 0, (signal) => collectorApi.trace(traceId, signal));
  const built = useMemo(() => (trace.data ? buildWaterfall(trace.data.spans) : null), [trace.data]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const { params, setParams } = d.location;
  const showCritical = params.get('critical') !== 'off';
  const critical = useMemo(() => (trace.data ? criticalPath(trace.data.spans) : null), [trace.data]);
  const criticalBySpan = useMemo(() => (critical && showCritical ? sectionsBySpan(critical.result) : null), [critical, showCritical]);
  const rows = useMemo(() => (built ? visibleRows(built.result.rows, collapsed) : []), [built, collapsed]);
  const firstError = built ? built.result.rows[firstErrorIndex(built.result.rows)]?.span.spanId ?? null : null;
  // Deepest error span: where the failure started, usually the one worth reading first.
  const deepestError = useMemo(() => {
    if (!built) return null;
    let best: { id: string; depth: number } | null = null;
    for (const r of built.result.rows) if (r.isError && (!best || r.depth > best.depth)) best = { id: r.span.spanId, depth: r.depth };
    return best?.id ?? null;
  }, [built]);
  const selectedId = params.get('span') ?? deepestError ?? firstError;
  // Scroll only when the trace arrives (to the linked span, else the failure), not on every click.
  const scrollTarget = useMemo(() => params.get('span') ?? deepestError ?? firstError, [built]); // eslint-disable-line react-hooks/exhaustive-deps
  const selected = built?.result.rows.find((r) => r.span.spanId === selectedId)?.span ?? null;

  const toggle = (id: string) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <main className="page page-trace">
      <div className="page-head">
        <h1>
          Trace <code className="trace-id">{traceId}</code>
        </h1>
        <a href={linkTo({ page: 'traces' }, params)}>← all traces</a>
      </div>
      {!valid ? (
        <EmptyState title="Not a trace id">
          <p>Trace ids are 32 hexadecimal characters. Open a trace from the Traces page.</p>
        </EmptyState>
      ) : trace.loading ? (
        <Loading what="trace" />
      ) : trace.error ? (
        <ErrorState error={trace.error} onRetry={trace.reload} />
      ) : built && built.result.rows.length === 0 ? (
        <EmptyState title="This trace has no spans" />
      ) : built && trace.data ? (
        <>
          <div className="trace-summary panel">
            <span>
              <strong>{formatMs(built.result.traceDurationMs)}</strong> total
            </span>
            <span>{formatDateTime(built.result.traceStartMs)}</span>
            <span>
              <strong>{built.result.rows.length}</strong> spans
            </span>
            <span>{built.result.errorCount > 0 ? <span className="err-tag">✕ {built.result.errorCount} error spans</span> : <span className="ok-tag">no errors</span>}</span>
            <span className="services">
              {built.result.services.map((s) => (
                <span key={s} className="svc-chip" style={{ borderColor: serviceColor(s), color: serviceColor(s) }}>
                  {s}
                </span>
              ))}
            </span>
            {correlationIds(trace.data).length > 0 && <span className="muted">correlation id: {correlationIds(trace.data).join(', ')}</span>}
            <span className="wf-actions">
              <label className="toggle" title="The spans the trace was waiting on, moment by moment (Jaeger's critical path)">
                <input type="checkbox" data-testid="critical-toggle" checked={showCritical} onChange={(e) => setParams({ critical: e.target.checked ? null : 'off' }, { replace: true })} /> critical path
              </label>
              <button type="button" onClick={() => setCollapsed(new Set())}>
                expand all
              </button>
              <button type="button" onClick={() => setCollapsed(new Set(built.result.rows.filter((r) => r.attempt !== null || r.depth >= 3).filter((r) => r.childCount > 0).map((r) => r.span.spanId)))}>
                collapse deep
              </button>
            </span>
          </div>
          <MarkerLegend />
          <Waterfall model={built.result} rows={rows} collapsed={collapsed} onToggle={toggle} selectedSpanId={selectedId} onSelect={(id) => setParams({ span: id }, { replace: true })} scrollToSpanId={scrollTarget} critical={criticalBySpan} />
          <Warnings warnings={[...built.warnings, ...(critical?.warnings ?? [])]} />
          {selected && <SpanDetail span={selected} traceStartMs={built.result.traceStartMs} serviceHref={linkTo({ page: 'service', service: selected.service }, params)} />}
        </>
      ) : null}
    </main>
  );
}

function SpanDetail({ span, traceStartMs, serviceHref }: { span: Span; traceStartMs: number; serviceHref: string }) {
  return (
    <section className="panel span-detail" data-testid="span-detail" aria-label="Span details">
      <h2>
        <a className="svc-chip" href={serviceHref} style={{ borderColor: serviceColor(span.service), color: serviceColor(span.service) }}>
          {span.service}
        </a>{' '}
        {span.name} {span.status === 'error' && <span className="err-tag">✕ error</span>}
      </h2>
      {(span.statusMessage || span.status === 'error') && (
        <p className={span.status === 'error' ? 'status-message error' : 'status-message'} data-testid="span-status-message">
          status {span.status}
          {span.statusMessage ? `: ${span.statusMessage}` : ' (no message)'}
        </p>
      )}
      <p className="muted">
        {span.kind} · starts +{formatMs(span.startMs - traceStartMs)} · {formatMs(span.durationMs)} · span {span.spanId}
        {span.parentSpanId ? ` · parent ${span.parentSpanId}` : ' · root'}
      </p>
      <div className="span-detail-cols">
        <div>
          <h3>Events ({span.events.length})</h3>
          {span.events.length === 0 ? (
            <p className="muted">none</p>
          ) : (
            <ol className="events">
              {span.events.map((e, i) => (
                <li key={i}>
                  <span className="muted">+{formatMs(e.timeMs - traceStartMs)}</span> <strong>{markerLabel(e)}</strong>
                </li>
              ))}
            </ol>
          )}
        </div>
        <div>
          <h3>Attributes</h3>
          <table className="attrs">
            <tbody>
              {Object.entries(span.attributes).map(([k, v]) => (
                <tr key={k}>
                  <th>{k}</th>
                  <td>{typeof v === 'string' ? v : JSON.stringify(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
