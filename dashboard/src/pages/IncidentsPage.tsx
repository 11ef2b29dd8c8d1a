import { useMemo } from 'react';
import { collectorApi } from '../api/collector.js';
import type { Graph, Incident } from '../api/types.js';
import { AlertList } from '../components/AlertViews.js';
import { ServiceMap } from '../components/ServiceMap.js';
import { useAlerts } from '../hooks/useAlerts.js';
import { EmptyState, ErrorState, Loading, NoTelemetryHint, Warnings } from '../components/StateViews.js';
import { useApi } from '../hooks/useApi.js';
import { useDashboard } from '../hooks/useDashboard.js';
import { formatDateTime, formatMs } from '../model/format.js';
import { layoutGraph } from '../model/graphLayout.js';
import { formatPathParam, highlightPath } from '../model/pathHighlight.js';
import { linkTo } from '../model/route.js';
import { describeRange } from '../model/timeRange.js';

export function IncidentsPage() {
  const d = useDashboard();
  const rc = useApi(`rc:${d.rangeKey}`, d.tick, (signal) => collectorApi.rootCauses(d.window, signal));
  const graph = useApi(`graph:${d.rangeKey}`, d.tick, (signal) => collectorApi.graph(d.window, signal));
  const incidents = useMemo(() => [...(rc.data?.incidents ?? [])].sort((a, b) => b.startMs - a.startMs), [rc.data]);
  const { params, setParams } = d.location;
  const selectedStart = params.get('incident');
  const selected = incidents.find((i) => String(i.startMs) === selectedStart) ?? incidents[0];
  const causeIndex = Math.max(0, Number(params.get('cause') ?? 0) || 0);
  const { alerts } = useAlerts(d);

  return (
    <main className="page page-incidents">
      <div className="page-head">
        <h1>Incidents and failure paths</h1>
        <span className="muted">{describeRange(d.range)}</span>
      </div>
      <AlertList alerts={alerts} nowMs={d.window.toMs} />
      {rc.loading ? (
        <Loading what="incidents" />
      ) : rc.error && !rc.data ? (
        <ErrorState error={rc.error} onRetry={rc.reload} />
      ) : incidents.length === 0 ? (
        <EmptyState title={`No incidents in the ${describeRange(d.range)}`}>
          <p>An incident opens when a service's error rate or latency jumps above its baseline. If services are failing right now, give the collector a minute of data or widen the range.</p>
          {graph.data && graph.data.nodes.length === 0 && <NoTelemetryHint />}
        </EmptyState>
      ) : (
        <div className="incidents-layout">
          <section className="panel incident-list" aria-label="Incidents">
            <h2>Incidents ({incidents.length})</h2>
            <ul>
              {incidents.map((inc) => {
                const active = inc === selected;
                return (
                  <li key={inc.startMs}>
                    <button
                      type="button"
                      className={`incident-item${active ? ' active' : ''}`}
                      aria-pressed={active}
                      data-testid="incident"
                      onClick={() => setParams({ incident: String(inc.startMs), cause: null })}
                    >
                      <strong>
                        {inc.rootCauses[0] ? `${inc.rootCauses[0].service} failing` : 'Unexplained failures'}
                        {inc.ongoing && <span className="badge health-failing ongoing">ongoing</span>}
                      </strong>
                      <span className="muted">
                        {formatDateTime(inc.startMs)} · {formatMs(inc.endMs - inc.startMs)}
                      </span>
                      <span className="muted">affected: {inc.affected.join(', ') || '–'}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
          {selected && <IncidentDetail incident={selected} causeIndex={causeIndex} graph={graph.data} windowMs={d.windowMs} params={params} onSelectCause={(i) => setParams({ incident: String(selected.startMs), cause: String(i) })} />}
        </div>
      )}
    </main>
  );
}

function IncidentDetail({ incident, causeIndex, graph, windowMs, params, onSelectCause }: { incident: Incident; causeIndex: number; graph: Graph | undefined; windowMs: number; params: URLSearchParams; onSelectCause: (i: number) => void }) {
  const cause = incident.rootCauses[Math.min(causeIndex, incident.rootCauses.length - 1)];
  const layout = useMemo(() => (graph ? layoutGraph(graph).result : null), [graph]);
  const highlight = useMemo(() => (graph && cause ? highlightPath(graph, cause.path) : null), [graph, cause]);
  return (
    <section className="panel incident-detail" aria-label="Root causes">
      <h2>
        Ranked root causes <span className="muted">({formatDateTime(incident.startMs)} → {formatDateTime(incident.endMs)})</span>
      </h2>
      {incident.signals && incident.signals.length > 0 && (
        <ul className="signals" aria-label="What tripped detection">
          {incident.signals.map((sig) => (
            <li key={sig}>{sig}</li>
          ))}
        </ul>
      )}
      {incident.rootCauses.length === 0 ? (
        <p className="muted">The collector found no root cause for this incident.</p>
      ) : (
        <table className="root-causes">
          <thead>
            <tr>
              <th>#</th>
              <th>service</th>
              <th>operation</th>
              <th>score</th>
              <th>reason</th>
              <th>path (cause → entry point)</th>
            </tr>
          </thead>
          <tbody>
            {incident.rootCauses.map((rc, i) => {
              const active = rc === cause;
              return (
                <tr key={`${rc.service}/${rc.operation}/${i}`} className={active ? 'selected' : undefined} data-testid="root-cause" data-rank={i + 1} data-service={rc.service}>
                  <td>{i + 1}</td>
                  <td>
                    <button type="button" className="link strong" aria-pressed={active} onClick={() => onSelectCause(i)} data-testid="select-root-cause">
                      {rc.service}
                    </button>
                  </td>
                  <td>{rc.operation || '–'}</td>
                  <td>{rc.score.toFixed(2)}</td>
                  <td>{rc.reason}</td>
                  <td>{rc.path.join(' → ')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {cause && (
        <p className="actions">
          <a href={linkTo({ page: 'map' }, params, { path: formatPathParam(cause.path) })}>Show path on the full map →</a>
          <a href={linkTo({ page: 'traces' }, params, { service: cause.service, status: 'error' })}>Failing traces of {cause.service} →</a>
        </p>
      )}
      {cause && cause.traceIds.length > 0 && (
        <p className="actions" data-testid="cause-evidence">
          Example traces:{' '}
          {cause.traceIds.map((traceId) => (
            <a key={traceId} href={linkTo({ page: 'trace', traceId }, params)} className="mono">
              {traceId.slice(0, 8)}…
            </a>
          ))}
        </p>
      )}
      {layout && highlight && (
        <>
          <ServiceMap layout={layout} highlight={highlight.result} heightPx={380} />
          <Warnings warnings={highlight.warnings} />
        </>
      )}
    </section>
  );
}
