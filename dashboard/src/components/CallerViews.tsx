import type { Graph, GraphEdge } from '../api/types.js';
import { currentFigures, figuresHealth, figuresLine, formatPerSec, rangeFigures } from '../model/figures.js';
import { formatMs, formatPct } from '../model/format.js';
import { edgeBadges } from '../model/graphLayout.js';
import { HEALTH_LABEL } from '../model/health.js';
import { linkTo } from '../model/route.js';

/** What each caller saw of its calls to the service: the only view of a service that is down. */
export function CallersView({ callers, service, ownSpans }: { callers: readonly GraphEdge[]; service: string; ownSpans: boolean }) {
  return (
    <section className="panel callers-view" data-testid="callers-view">
      <h2>As its callers saw it</h2>
      <p className="muted">
        {ownSpans
          ? `Calls to ${service} as each caller recorded them (client spans), which include calls that never reached it.`
          : `${service} sent no spans in this range (down, or not instrumented): these are its callers' records of their calls to it.`}
      </p>
      <table data-testid="callers-view-table">
        <thead>
          <tr>
            <th>caller</th>
            <th>now</th>
            <th>failed (range)</th>
            <th>timeouts</th>
            <th>short-circuits</th>
            <th>retries</th>
          </tr>
        </thead>
        <tbody>
          {callers.map((e) => {
            const now = currentFigures(e);
            return (
              <tr key={e.source} data-testid={`caller-${e.source}`}>
                <td>{e.source}</td>
                <td>
                  {figuresLine(now)} <span className={`badge health-${figuresHealth(now)}`}>{HEALTH_LABEL[figuresHealth(now)]}</span>
                </td>
                <td>
                  {e.errors.toLocaleString()} of {e.requests.toLocaleString()} ({formatPct(e.errorRate)})
                </td>
                <td>{e.timeouts.toLocaleString()}</td>
                <td>{e.shortCircuits.toLocaleString()}</td>
                <td>{e.retries.toLocaleString()}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function Neighbours({ callers, callees, params }: { callers: GraphEdge[]; callees: GraphEdge[]; params: URLSearchParams }) {
  const table = (title: string, edges: Graph['edges'], other: (e: GraphEdge) => string, testId: string) => (
    <section className="panel">
      <h2>
        {title} ({edges.length})
      </h2>
      {edges.length === 0 ? (
        <p className="muted">none in this range</p>
      ) : (
        <table data-testid={testId}>
          <thead>
            <tr>
              <th>service</th>
              <th>rate now</th>
              <th>errors now</th>
              <th>p95 now</th>
              <th>range: rate · errors</th>
              <th>resilience</th>
            </tr>
          </thead>
          <tbody>
            {edges.map((e) => {
              const now = currentFigures(e);
              const range = rangeFigures(e);
              return (
                <tr key={`${e.source}>${e.target}`}>
                  <td>
                    <a href={linkTo({ page: 'service', service: other(e) }, params)}>{other(e)}</a>
                  </td>
                  <td>{now.hasTraffic ? formatPerSec(now.requestsPerSec) : '–'}</td>
                  <td>
                    {now.hasTraffic ? formatPct(now.errorRate) : '–'} <span className="muted">({HEALTH_LABEL[figuresHealth(now)]})</span>
                  </td>
                  <td>{now.hasTraffic ? formatMs(now.p95Ms) : '–'}</td>
                  <td className="muted">
                    {formatPerSec(range.requestsPerSec)} · {formatPct(range.errorRate)}
                  </td>
                  <td>{edgeBadges(e).map((b) => b.text).join(' · ') || '–'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
  return (
    <div className="tables">
      {table('Callers', callers, (e) => e.source, 'callers')}
      {table('Callees', callees, (e) => e.target, 'callees')}
    </div>
  );
}
