import { useMemo } from 'react';
import { collectorApi } from '../api/collector.js';
import type { Graph } from '../api/types.js';
import { HealthLegend } from '../components/HealthLegend.js';
import { MapDetails } from '../components/MapDetails.js';
import { ServiceMap } from '../components/ServiceMap.js';
import { EmptyState, ErrorState, Loading, NoTelemetryHint, Warnings } from '../components/StateViews.js';
import { useApi } from '../hooks/useApi.js';
import { useDashboard } from '../hooks/useDashboard.js';
import { formatMs, formatPct, formatRate } from '../model/format.js';
import { HEALTH_LABEL } from '../model/health.js';
import { layoutGraph } from '../model/graphLayout.js';
import { highlightPath, parsePathParam } from '../model/pathHighlight.js';
import { describeRange } from '../model/timeRange.js';

export function MapPage() {
  const d = useDashboard();
  const { params, setParams } = d.location;
  const graph = useApi(`graph:${d.rangeKey}`, d.tick, (signal) => collectorApi.graph(d.window, signal));
  const windowMs = d.windowMs;
  const path = parsePathParam(params.get('path'));

  return (
    <main className="page page-map">
      <div className="page-head">
        <h1>Service map</h1>
        <span className="muted">{describeRange(d.range)}</span>
      </div>
      {graph.error && graph.data && <ErrorState error={graph.error} onRetry={graph.reload} compact />}
      {graph.loading ? (
        <Loading what="service map" />
      ) : graph.error && !graph.data ? (
        <ErrorState error={graph.error} onRetry={graph.reload} />
      ) : graph.data && graph.data.nodes.length === 0 ? (
        <EmptyState title={`No services seen in the ${describeRange(d.range)}`}>
          <NoTelemetryHint />
        </EmptyState>
      ) : graph.data ? (
        <MapView graph={graph.data} windowMs={windowMs} params={params} path={path} setParams={setParams} />
      ) : null}
    </main>
  );
}

function MapView({ graph, windowMs, params, path, setParams }: { graph: Graph; windowMs: number; params: URLSearchParams; path: string[]; setParams: (c: Record<string, string | null>) => void }) {
  const { result: layout, warnings } = useMemo(() => layoutGraph(graph, { windowMs }), [graph, windowMs]);
  const highlight = useMemo(() => (path.length > 0 ? highlightPath(graph, path) : null), [graph, path.join('>')]); // eslint-disable-line react-hooks/exhaustive-deps
  const selectedNode = params.get('node');
  const selectedEdge = params.get('edge');
  const selectNode = (id: string) => setParams({ node: id, edge: null });
  const selectEdge = (key: string) => setParams({ edge: key, node: null });
  const sorted = [...layout.nodes].sort((a, b) => b.stats.errorRate - a.stats.errorRate || a.id.localeCompare(b.id));
  return (
    <>
      {highlight && (
        <div className="banner" data-testid="path-banner" role="status">
          Propagation path: <strong>{path.join(' → ')}</strong> (root cause first; other services dimmed)
          <button type="button" className="link" onClick={() => setParams({ path: null })}>
            clear
          </button>
        </div>
      )}
      <div className="map-layout">
        <div className="map-main">
          <ServiceMap layout={layout} highlight={highlight?.result} selectedNode={selectedNode} selectedEdge={selectedEdge} onSelectNode={selectNode} onSelectEdge={selectEdge} />
          <HealthLegend />
        </div>
        <aside className="map-side">
          <MapDetails
            graph={graph}
            layout={layout}
            windowMs={windowMs}
            params={params}
            selectedNode={selectedNode}
            selectedEdge={selectedEdge}
            onSelectNode={selectNode}
            onSelectEdge={selectEdge}
            onClear={() => setParams({ node: null, edge: null })}
          />
        </aside>
      </div>
      <Warnings warnings={[...warnings, ...(highlight?.warnings ?? [])]} />
      <div className="tables">
        <section className="panel">
          <h2>Services ({layout.nodes.length})</h2>
          <table data-testid="service-table">
            <thead>
              <tr>
                <th>service</th>
                <th>health</th>
                <th>rate</th>
                <th>errors</th>
                <th>p95</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((n) => (
                <tr key={n.id} className={selectedNode === n.id ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="link" onClick={() => selectNode(n.id)}>
                      {n.kind === 'virtual' ? '◌ ' : ''}
                      {n.id}
                    </button>
                  </td>
                  <td>
                    <span className={`badge health-${n.health}`}>{HEALTH_LABEL[n.health]}</span>
                  </td>
                  <td>{formatRate(n.stats.requests, windowMs)}</td>
                  <td>{formatPct(n.stats.errorRate)}</td>
                  <td>{formatMs(n.stats.p95Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="panel">
          <h2>Calls ({layout.edges.length})</h2>
          <table data-testid="edge-table">
            <thead>
              <tr>
                <th>call</th>
                <th>rate</th>
                <th>errors</th>
                <th>p95</th>
                <th>resilience</th>
              </tr>
            </thead>
            <tbody>
              {[...layout.edges]
                .sort((a, b) => b.stats.errorRate - a.stats.errorRate || a.key.localeCompare(b.key))
                .map((e) => (
                  <tr key={e.key} className={selectedEdge === e.key ? 'selected' : undefined}>
                    <td>
                      <button type="button" className="link" onClick={() => selectEdge(e.key)}>
                        {e.source} → {e.target}
                      </button>
                    </td>
                    <td>{formatRate(e.stats.requests, windowMs)}</td>
                    <td>{formatPct(e.stats.errorRate)}</td>
                    <td>{formatMs(e.stats.p95Ms)}</td>
                    <td>{e.badges.map((b) => b.text).join(' · ') || '–'}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      </div>
    </>
  );
}
