import { useMemo } from 'react';
import { collectorApi } from '../api/collector.js';
import type { Graph } from '../api/types.js';
import { BreakerTimelines } from '../components/BreakerTimeline.js';
import { RedCharts } from '../components/RedCharts.js';
import { StatsTable } from '../components/StatsTable.js';
import { EmptyState, ErrorState, Loading, Warnings } from '../components/StateViews.js';
import { mapLimited, useApi } from '../hooks/useApi.js';
import { useDashboard } from '../hooks/useDashboard.js';
import { breakerTimelines, extractBreakerTransitions, failureEpisodes, pickBreakerSample } from '../model/breakerIntervals.js';
import { formatMs, formatPct, formatRate } from '../model/format.js';
import { classifyHealth, HEALTH_LABEL } from '../model/health.js';
import { edgeBadges, neighbours } from '../model/graphLayout.js';
import { linkTo } from '../model/route.js';
import { alignedBuckets, buildSeries } from '../model/series.js';
import { describeRange } from '../model/timeRange.js';

/** Failing-trace summaries listed per service to find breaker transitions (breakers change state on failures). */
const BREAKER_SUMMARIES_MAX = 1000;
/** Points per chart: one /api/services query each, 4 at a time. */
const SERIES_BUCKETS_MAX = 30;
const BREAKER_SAMPLE_CALLERS_MAX = 3;
/** Failures closer than this belong to one episode. */
const EPISODE_GAP_MS = 30_000;
const EPISODES_MAX = 5;
/** How far around an episode's last failure to look for the successes that close a breaker. */
const RECOVERY_LOOK_MS = 5_000;
/** Traces read in full for their breaker.state events. */
const BREAKER_SAMPLE_TRACES_MAX = 150;

export function ServicePage({ service }: { service: string }) {
  const d = useDashboard();
  const { params } = d.location;
  const windowMs = d.windowMs;
  const series = useApi(`series:${service}:${d.rangeKey}`, d.slowTick, async (signal) => {
    const buckets = alignedBuckets(d.window, SERIES_BUCKETS_MAX, Date.now());
    const answers = await mapLimited(buckets, 4, (b) => collectorApi.services(b.window, signal), signal);
    return buildSeries(buckets.map((b, i) => ({ ...b, services: answers[i]! })), service);
  });
  const totals = useApi(`services:${d.rangeKey}`, d.tick, (signal) => collectorApi.services(d.window, signal));
  const graph = useApi(`graph:${d.rangeKey}`, d.tick, (signal) => collectorApi.graph(d.window, signal));
  const callerKey = graph.data ? neighbours(graph.data, service).callers.slice(0, BREAKER_SAMPLE_CALLERS_MAX).map((e) => e.source).join(',') : null;
  // Breakers live in the caller: sample this service's traces and those of its callers
  // (a service that is down sends no spans, so only its callers' traces show the breaker).
  const breakers = useApi(callerKey === null ? null : `breakers:${service}:${callerKey}:${d.rangeKey}`, d.slowTick, async (signal) => {
    const owners = [service, ...(callerKey ? callerKey.split(',') : [])];
    const failing = (await mapLimited(owners, 3, (s) => collectorApi.traces({ ...d.window, service: s, status: 'error', limit: BREAKER_SUMMARIES_MAX }, signal), signal)).flat();
    // Breakers close on the first successes after failures stop: read those too.
    const episodes = failureEpisodes(failing.map((t) => t.startMs), EPISODE_GAP_MS).slice(-EPISODES_MAX);
    const recovered = (
      await mapLimited(
        // Requests overlap: the probe that closes a breaker may start just before the last failure.
        episodes.flatMap((e) => owners.map((s) => ({ service: s, fromMs: e.endMs - RECOVERY_LOOK_MS, toMs: Math.min(d.window.toMs, e.endMs + RECOVERY_LOOK_MS) }))),
        3,
        (q) => collectorApi.traces({ ...q, status: 'ok', limit: BREAKER_SUMMARIES_MAX }, signal),
        signal,
      )
    ).flat();
    const unique = new Map([...failing, ...recovered].map((t) => [t.traceId, { traceId: t.traceId, startMs: t.startMs, failed: t.errorCount > 0 }]));
    const ids = pickBreakerSample([...unique.values()], BREAKER_SAMPLE_TRACES_MAX);
    const traces = (await mapLimited(ids, 6, (id) => collectorApi.trace(id, signal).catch(() => null), signal)).filter((t) => t !== null);
    const { result: transitions, warnings } = extractBreakerTransitions(traces);
    // Breakers this service holds, and breakers others hold around calls to it.
    const relevant = transitions.filter((t) => t.service === service || t.breaker === service);
    return { sampled: traces.length, transitions: relevant, warnings };
  });
  const summary = totals.data?.find((s) => s.name === service);
  const timelines = useMemo(() => (breakers.data ? breakerTimelines(breakers.data.transitions, d.window) : null), [breakers.data, d.window]);

  return (
    <main className="page page-service">
      <div className="page-head">
        <h1>
          Service <span className="svc-title">{service}</span>
        </h1>
        {summary && <span className={`badge health-${classifyHealth(summary)}`}>{HEALTH_LABEL[classifyHealth(summary)]}</span>}
        <span className="muted">{describeRange(d.range)}</span>
        <a href={linkTo({ page: 'map' }, params, { node: service })}>on the map →</a>
        <a href={linkTo({ page: 'traces' }, params, { service })}>traces →</a>
      </div>
      {totals.error && !totals.data ? (
        <ErrorState error={totals.error} onRetry={totals.reload} />
      ) : totals.loading ? (
        <Loading what={service} />
      ) : !summary && !graph.data?.nodes.some((n) => n.id === service) ? (
        <EmptyState title={`${service} has sent no spans in the ${describeRange(d.range)}`}>
          <p>Check that the service exports to this collector with OTEL_SERVICE_NAME={service}, or widen the time range.</p>
        </EmptyState>
      ) : (
        <>
          {summary && (
            <section className="panel">
              <StatsTable stats={summary} windowMs={windowMs} />
            </section>
          )}
          <section className="panel">
            <h2>Rate, errors, duration</h2>
            {series.loading ? <Loading what="time series" /> : series.error ? <ErrorState error={series.error} onRetry={series.reload} compact /> : series.data ? <RedCharts series={series.data} /> : null}
          </section>
          <section className="panel">
            <h2>Circuit breakers</h2>
            {breakers.loading ? (
              <Loading what="breaker events" />
            ) : breakers.error ? (
              <ErrorState error={breakers.error} onRetry={breakers.reload} compact />
            ) : timelines && timelines.result.length > 0 ? (
              <>
                <BreakerTimelines timelines={timelines.result} window={d.window} />
                <p className="muted">From breaker.state events in {breakers.data?.sampled} sampled traces (where failures start and stop, the latest, and a spread); short flips between samples may be missing.</p>
                <Warnings warnings={[...(breakers.data?.warnings ?? []), ...timelines.warnings]} />
              </>
            ) : (
              <p className="muted" data-testid="no-breakers">
                No breaker state changes in {breakers.data?.sampled ?? 0} sampled traces: breakers around {service} stayed closed (or the SDK's breaker policy is not in use).
              </p>
            )}
          </section>
          {graph.data && <Neighbours graph={graph.data} service={service} windowMs={windowMs} params={params} />}
        </>
      )}
    </main>
  );
}

function Neighbours({ graph, service, windowMs, params }: { graph: Graph; service: string; windowMs: number; params: URLSearchParams }) {
  const { callers, callees } = neighbours(graph, service);
  const table = (title: string, edges: Graph['edges'], other: (e: Graph['edges'][number]) => string, testId: string) => (
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
              <th>rate</th>
              <th>errors</th>
              <th>p95</th>
              <th>resilience</th>
            </tr>
          </thead>
          <tbody>
            {edges.map((e) => (
              <tr key={`${e.source}>${e.target}`}>
                <td>
                  <a href={linkTo({ page: 'service', service: other(e) }, params)}>{other(e)}</a>
                </td>
                <td>{formatRate(e.requests, windowMs)}</td>
                <td>
                  {formatPct(e.errorRate)} <span className="muted">({HEALTH_LABEL[classifyHealth(e)]})</span>
                </td>
                <td>{formatMs(e.p95Ms)}</td>
                <td>{edgeBadges(e).map((b) => b.text).join(' · ') || '–'}</td>
              </tr>
            ))}
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
