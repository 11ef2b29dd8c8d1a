import { useMemo } from 'react';
import { collectorApi } from '../api/collector.js';
import { AnnotationStrip } from '../components/Annotations.js';
import { BreakerTimelines } from '../components/BreakerTimeline.js';
import { CallersView, Neighbours } from '../components/CallerViews.js';
import { RedCharts } from '../components/RedCharts.js';
import { StatsTable } from '../components/StatsTable.js';
import { EmptyState, ErrorState, Loading, Warnings } from '../components/StateViews.js';
import { useApi } from '../hooks/useApi.js';
import { useDashboard } from '../hooks/useDashboard.js';
import { breakerTimelines, breakerTransitions } from '../model/breakerIntervals.js';
import { currentFigures, figuresHealth, figuresLine } from '../model/figures.js';
import { neighbours, worseHealth } from '../model/graphLayout.js';
import { HEALTH_LABEL } from '../model/health.js';
import { linkTo } from '../model/route.js';
import { chartPoints, seriesStepMs } from '../model/series.js';
import { describeRange } from '../model/timeRange.js';

export function ServicePage({ service }: { service: string }) {
  const d = useDashboard();
  const { params } = d.location;
  const totals = useApi(`services:${d.rangeKey}`, d.tick, (signal) => collectorApi.services(d.window, signal));
  const graph = useApi(`graph:${d.rangeKey}`, d.tick, (signal) => collectorApi.graph(d.window, signal));
  const node = graph.data?.nodes.find((n) => n.id === service);
  // A service that sent no spans (down) has only its callers' figures: never shown as its own.
  const sentNoSpans = node?.seenByCallers ?? !totals.data?.some((s) => s.name === service);
  const summary = sentNoSpans ? undefined : totals.data?.find((s) => s.name === service);
  const { callers, callees } = graph.data ? neighbours(graph.data, service) : { callers: [], callees: [] };
  const own = summary ? currentFigures(summary) : null;
  const seen = node?.incoming ? currentFigures(node.incoming) : null;
  const ownHealth = own ? figuresHealth(own) : 'idle';
  const health = worseHealth(ownHealth, seen ? figuresHealth(seen) : 'idle');
  const showCallers = callers.length > 0 && (!summary || health !== ownHealth);
  // A service its callers see failing (down, or refusing) is charted from its busiest caller's calls to it:
  // its own spans, if any, would show a flat line while its callers fail.
  const seenBy = totals.data && graph.data && showCallers ? (callers[0]?.source ?? null) : null;
  const subject = seenBy ? { source: seenBy, target: service } : { service };
  const stepMs = seriesStepMs(d.window);
  const series = useApi(totals.data && graph.data ? `series:${service}:${seenBy ?? ''}:${d.rangeKey}` : null, d.tick, (signal) => collectorApi.series({ ...d.window, stepMs }, subject, signal));
  const breakers = useApi(`breakers:${d.rangeKey}`, d.tick, (signal) => collectorApi.breakers(d.window, signal));
  const annotations = useApi(`annotations:${d.rangeKey}`, d.tick, (signal) => collectorApi.annotations(d.window, signal));
  const timelines = useMemo(() => {
    if (!breakers.data) return null;
    const { result, warnings } = breakerTransitions(breakers.data, service);
    const t = breakerTimelines(result, d.window);
    return { result: t.result, warnings: [...warnings, ...t.warnings] };
  }, [breakers.data, service, d.window]);

  const annotationList = annotations.data ?? [];

  return (
    <main className="page page-service">
      <div className="page-head">
        <h1>
          Service <span className="svc-title">{service}</span>
        </h1>
        {(summary || seen) && (
          <span className={`badge health-${health}`} data-testid="service-health">
            {HEALTH_LABEL[health]}
            {health !== ownHealth && seen ? ' (as its callers see it)' : ''}
          </span>
        )}
        {own && <span data-testid="service-now">now: {figuresLine(own)}</span>}
        <span className="muted">{describeRange(d.range)}</span>
        <a href={linkTo({ page: 'map' }, params, { node: service })}>on the map →</a>
        <a href={linkTo({ page: 'traces' }, params, { service })}>traces →</a>
        <a href={linkTo({ page: 'traces' }, params, { service, status: 'error' })} data-testid="failing-traces-link">
          failing traces →
        </a>
      </div>
      {totals.error && !totals.data ? (
        <ErrorState error={totals.error} onRetry={totals.reload} />
      ) : totals.loading ? (
        <Loading what={service} />
      ) : !summary && !graph.data?.nodes.some((n) => n.id === service) && callers.length === 0 ? (
        <EmptyState title={`${service} has sent no spans in the ${describeRange(d.range)}`}>
          <p>Check that the service exports to this collector with OTEL_SERVICE_NAME={service}, or widen the time range.</p>
        </EmptyState>
      ) : (
        <>
          {summary && (
            <section className="panel">
              <StatsTable stats={summary} />
            </section>
          )}
          {showCallers && <CallersView callers={callers} service={service} ownSpans={!!summary} />}
          <section className="panel">
            <h2>Rate, errors, duration</h2>
            {series.loading ? (
              <Loading what="time series" />
            ) : series.error ? (
              <ErrorState error={series.error} onRetry={series.reload} compact />
            ) : series.data ? (
              <RedCharts series={chartPoints(series.data)} annotations={annotationList} window={d.window} seenBy={seenBy} />
            ) : null}
            <AnnotationStrip annotations={annotationList} window={d.window} />
          </section>
          <section className="panel">
            <h2>Circuit breakers</h2>
            {breakers.loading ? (
              <Loading what="breaker transitions" />
            ) : breakers.error ? (
              <ErrorState error={breakers.error} onRetry={breakers.reload} compact />
            ) : timelines && timelines.result.length > 0 ? (
              <>
                <BreakerTimelines timelines={timelines.result} window={d.window} />
                <AnnotationStrip annotations={annotationList} window={d.window} />
                <Warnings warnings={timelines.warnings} />
              </>
            ) : (
              <p className="muted" data-testid="no-breakers">
                No breaker state changes in this range: breakers in and around {service} stayed closed (or the SDK's breaker policy is not in use).
              </p>
            )}
          </section>
          {graph.data && <Neighbours callers={callers} callees={callees} params={params} />}
        </>
      )}
    </main>
  );
}
