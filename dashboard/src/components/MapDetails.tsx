import type { Graph } from '../api/types.js';
import { currentFigures, figuresLine } from '../model/figures.js';
import { formatPct } from '../model/format.js';
import { HEALTH_LABEL } from '../model/health.js';
import { edgeBadges, edgeKey, neighbours, type MapLayout } from '../model/graphLayout.js';
import { linkTo } from '../model/route.js';
import { StatsTable } from './StatsTable.js';

export interface MapDetailsProps {
  graph: Graph;
  layout: MapLayout;
  params: URLSearchParams;
  selectedNode: string | null;
  selectedEdge: string | null;
  onSelectNode: (id: string) => void;
  onSelectEdge: (key: string) => void;
  onClear: () => void;
}

export function MapDetails({ graph, layout, params, selectedNode, selectedEdge, onSelectNode, onSelectEdge, onClear }: MapDetailsProps) {
  const node = selectedNode ? layout.nodes.find((n) => n.id === selectedNode) : undefined;
  const edge = selectedEdge ? layout.edges.find((e) => e.key === selectedEdge) : undefined;
  if (node) {
    const { callers, callees } = neighbours(graph, node.id);
    return (
      <section className="panel details" data-testid="node-details" aria-label={`Details of ${node.id}`}>
        <header>
          <h2>
            {node.kind === 'virtual' ? '◌ ' : ''}
            {node.id}
          </h2>
          <span className={`badge health-${node.health}`}>{HEALTH_LABEL[node.health]}</span>
          <button type="button" className="link" onClick={onClear} aria-label="Close details">
            ✕
          </button>
        </header>
        {node.kind === 'virtual' && <p className="muted">Called by instrumented services but sends no spans itself (a database, third-party API or uninstrumented service). Its numbers come from its callers.</p>}
        <StatsTable
          stats={node.stats}
          extra={node.seenByCallers ? [['now, as its callers saw their calls', `${figuresLine(node.seenByCallers)} (${formatPct(node.seenByCallers.errorRate)} failed)`]] : []}
        />
        <NeighbourList title="Callers" edges={callers.map((e) => ({ id: e.source, key: edgeKey(e.source, e.target), e }))} onSelectNode={onSelectNode} onSelectEdge={onSelectEdge} />
        <NeighbourList title="Calls" edges={callees.map((e) => ({ id: e.target, key: edgeKey(e.source, e.target), e }))} onSelectNode={onSelectNode} onSelectEdge={onSelectEdge} />
        <p className="actions">
          {node.kind === 'service' && <a href={linkTo({ page: 'service', service: node.id }, params)}>Service detail →</a>}
          <a href={linkTo({ page: 'traces' }, params, { service: node.id, status: 'error' })}>Failing traces →</a>
        </p>
      </section>
    );
  }
  if (edge) {
    return (
      <section className="panel details" data-testid="edge-details" aria-label={`Details of call ${edge.source} to ${edge.target}`}>
        <header>
          <h2>
            {edge.source} → {edge.target}
          </h2>
          <span className={`badge health-${edge.health}`}>{HEALTH_LABEL[edge.health]}</span>
          <button type="button" className="link" onClick={onClear} aria-label="Close details">
            ✕
          </button>
        </header>
        <StatsTable
          stats={edge.stats}
          extra={[
            ['retries', String(edge.stats.retries)],
            ['timeouts', String(edge.stats.timeouts)],
            ['short-circuits', String(edge.stats.shortCircuits)],
          ]}
        />
        <p className="actions">
          <button type="button" className="link" onClick={() => onSelectNode(edge.source)}>
            {edge.source}
          </button>
          <button type="button" className="link" onClick={() => onSelectNode(edge.target)}>
            {edge.target}
          </button>
          <a href={linkTo({ page: 'traces' }, params, { service: edge.source, status: 'error' })}>Failing traces →</a>
        </p>
      </section>
    );
  }
  return (
    <section className="panel details muted-panel">
      <p>Select a service or a call on the map (click, or Tab then Enter) to see its numbers, callers and callees.</p>
    </section>
  );
}

function NeighbourList({ title, edges, onSelectNode, onSelectEdge }: { title: string; edges: { id: string; key: string; e: Graph['edges'][number] }[]; onSelectNode: (id: string) => void; onSelectEdge: (key: string) => void }) {
  return (
    <div className="neighbours">
      <h3>
        {title} ({edges.length})
      </h3>
      {edges.length === 0 ? (
        <p className="muted">none in this range</p>
      ) : (
        <ul>
          {edges.map(({ id, key, e }) => (
            <li key={key}>
              <button type="button" className="link" onClick={() => onSelectNode(id)}>
                {id}
              </button>{' '}
              <button type="button" className="link muted" onClick={() => onSelectEdge(key)}>
                {figuresLine(currentFigures(e))}
                {edgeBadges(e).length > 0 ? ` · ${edgeBadges(e).map((b) => b.text).join(' ')}` : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
