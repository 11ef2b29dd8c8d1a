import { useMemo } from 'react';
import { collectorApi, type TimeWindow } from '../api/collector.js';
import type { Annotation, Graph, SeriesAnswerPoint } from '../api/types.js';
import { AnnotationList, AnnotationStrip } from '../components/Annotations.js';
import { HealthLegend } from '../components/HealthLegend.js';
import { MapDetails } from '../components/MapDetails.js';
import { ServiceMap } from '../components/ServiceMap.js';
import { EmptyState, ErrorState, Loading, NoTelemetryHint, Warnings } from '../components/StateViews.js';
import { useApi } from '../hooks/useApi.js';
import { useDashboard } from '../hooks/useDashboard.js';
import { useSparklineSeries } from '../hooks/useSparklineSeries.js';
import { currentFigures, formatPerSec, rangeFigures } from '../model/figures.js';
import { formatMs, formatPct } from '../model/format.js';
import { HEALTH_LABEL } from '../model/health.js';
import { layoutGraph, MAP_TEXT } from '../model/graphLayout.js';
import { mapSparklines } from '../model/sparkline.js';
import { upsertAnnotation } from '../model/streamUpdates.js';

const ANNOTATIONS_SHOWN_MAX = 200;
const withStreamed = (fetched: Annotation[], streamed: Annotation[]) => streamed.reduce((list, a) => upsertAnnotation(list, a, ANNOTATIONS_SHOWN_MAX), fetched);
import { highlightPath, parsePathParam } from '../model/pathHighlight.js';
import { describeRange } from '../model/timeRange.js';

export function MapPage() {
  const d = useDashboard();
  const { params, setParams } = d.location;
  const fetched = useApi(`graph:${d.rangeKey}`, d.tick, async (signal) => ({ graph: await collectorApi.graph(d.window, signal), atMs: Date.now() }));
  // The stream's graph event carries this window's graph when it is newer than the last answer: no refetch.
  const live = d.streamGraph && d.streamGraph.receivedMs > (fetched.data?.atMs ?? 0) ? d.streamGraph.graph : null;
  const graph = { ...fetched, data: live ?? fetched.data?.graph, loading: fetched.loading && !live };
  const annotations = useApi(`annotations:${d.rangeKey}`, d.tick, (signal) => collectorApi.annotations(d.window, signal));
  const sparkSeries = useSparklineSeries(graph.data, d.window, d.rangeKey, d.slowTick);
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
        <MapView graph={graph.data} window={d.window} annotations={withStreamed(annotations.data ?? [], d.streamAnnotations)} series={sparkSeries.data} params={params} path={path} setParams={setParams} />
      ) : null}
    </main>
  );
}

interface MapViewProps {
  graph: Graph;
  window: TimeWindow;
  annotations: Annotation[];
  series: Map<string, SeriesAnswerPoint[]> | undefined;
  params: URLSearchParams;
  path: string[];
  setParams: (c: Record<string, string | null>) => void;
}

function MapView({ graph, window, annotations, series, params, path, setParams }: MapViewProps) {
  const { result: layout, warnings } = useMemo(() => layoutGraph(graph), [graph]);
  const sparklines = useMemo(() => (series ? mapSparklines(layout, series, MAP_TEXT) : undefined), [layout, series]);
  const highlight = useMemo(() => (path.length > 0 ? highlightPath(graph, path) : null), [graph, path.join('>')]); // eslint-disable-line react-hooks/exhaustive-deps
  const selectedNode = params.get('node');
  const selectedEdge = params.get('edge');
  const selectNode = (id: string) => setParams({ node: id, edge: null });
  const selectEdge = (key: string) => setParams({ edge: key, node: null });
  const nowErr = (x: Parameters<typeof currentFigures>[0]) => currentFigures(x).errorRate;
  const sorted = [...layout.nodes].sort((a, b) => nowErr(b.stats) - nowErr(a.stats) || b.stats.errorRate - a.stats.errorRate || a.id.localeCompare(b.id));
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
          <ServiceMap layout={layout} sparklines={sparklines} highlight={highlight?.result} selectedNode={selectedNode} selectedEdge={selectedEdge} onSelectNode={selectNode} onSelectEdge={selectEdge} />
          <AnnotationStrip annotations={annotations} window={window} />
          <HealthLegend />
        </div>
        <aside className="map-side">
          <MapDetails
            graph={graph}
            layout={layout}
            params={params}
            selectedNode={selectedNode}
            selectedEdge={selectedEdge}
            onSelectNode={selectNode}
            onSelectEdge={selectEdge}
            onClear={() => setParams({ node: null, edge: null })}
          />
          <AnnotationList annotations={annotations} window={window} />
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
                <th>rate now</th>
                <th>errors now</th>
                <th>p95 now</th>
                <th className="history">range: rate · errors · p95</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((n) => (
                <tr key={n.id} className={selectedNode === n.id ? 'selected' : undefined} data-testid="service-row" data-service={n.id} data-health={n.health}>
                  <td>
                    <button type="button" className="link" onClick={() => selectNode(n.id)}>
                      {n.kind === 'virtual' ? '◌ ' : ''}
                      {n.id}
                    </button>
                  </td>
                  <td>
                    <span className={`badge health-${n.health}`}>{HEALTH_LABEL[n.health]}</span>
                  </td>
                  <NowCells figures={n.seenByCallers && (n.stats.seenByCallers || !currentFigures(n.stats).hasTraffic) ? n.seenByCallers : currentFigures(n.stats)} seenBy={n.seenByCallers && (n.stats.seenByCallers || !currentFigures(n.stats).hasTraffic) ? 'its callers' : null} />
                  <HistoryCell stats={n.stats} />
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
                <th>rate now</th>
                <th>errors now</th>
                <th>p95 now</th>
                <th>resilience (range)</th>
                <th className="history">range: rate · errors · p95</th>
              </tr>
            </thead>
            <tbody>
              {[...layout.edges]
                .sort((a, b) => nowErr(b.stats) - nowErr(a.stats) || b.stats.errorRate - a.stats.errorRate || a.key.localeCompare(b.key))
                .map((e) => (
                  <tr key={e.key} className={selectedEdge === e.key ? 'selected' : undefined}>
                    <td>
                      <button type="button" className="link" onClick={() => selectEdge(e.key)}>
                        {e.source} → {e.target}
                      </button>
                    </td>
                    <NowCells figures={currentFigures(e.stats)} seenBy={null} />
                    <td>{e.badges.map((b) => b.text).join(' · ') || '–'}</td>
                    <HistoryCell stats={e.stats} />
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      </div>
    </>
  );
}

function NowCells({ figures, seenBy }: { figures: ReturnType<typeof currentFigures>; seenBy: string | null }) {
  if (!figures.hasTraffic) return <td colSpan={3} className="muted">no traffic in the last complete minute</td>;
  return (
    <>
      <td>{formatPerSec(figures.requestsPerSec)}</td>
      <td>
        {formatPct(figures.errorRate)}
        {seenBy && <span className="muted"> (as {seenBy} saw it)</span>}
      </td>
      <td>{formatMs(figures.p95Ms)}</td>
    </>
  );
}

function HistoryCell({ stats }: { stats: Parameters<typeof rangeFigures>[0] }) {
  const r = rangeFigures(stats);
  return (
    <td className="history muted">
      {formatPerSec(r.requestsPerSec)} · {formatPct(r.errorRate)} · {formatMs(r.p95Ms)}
    </td>
  );
}
