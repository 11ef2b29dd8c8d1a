import { useMemo, useState } from 'react';
import { collectorApi } from '../api/collector.js';
import { controlApi } from '../api/control.js';
import { isApiError, type ApiError } from '../api/errors.js';
import { AnnotationStrip } from '../components/Annotations.js';
import { ServiceMap } from '../components/ServiceMap.js';
import { EmptyState, ErrorState, Loading } from '../components/StateViews.js';
import { useApi } from '../hooks/useApi.js';
import { useDashboard } from '../hooks/useDashboard.js';
import { useInterval } from '../hooks/useInterval.js';
import { formatTime } from '../model/format.js';
import { layoutGraph } from '../model/graphLayout.js';
import { linkTo } from '../model/route.js';

const FAULT_POLL_MS = 2000;

export function ChaosPage() {
  const d = useDashboard();
  if (d.config === undefined) return <Loading what="configuration" />;
  if (!d.config.controlUrl) {
    return (
      <main className="page">
        <EmptyState title="Chaos panel not configured">
          <p>
            The chaos panel drives the demo's control server. Start everything with <code>pnpm demo</code>, or start the collector with <code>--control-url http://127.0.0.1:4320</code> while the demo control server runs.
          </p>
        </EmptyState>
      </main>
    );
  }
  return <ChaosPanel controlUrl={d.config.controlUrl} />;
}

function ChaosPanel({ controlUrl }: { controlUrl: string }) {
  const d = useDashboard();
  const api = useMemo(() => controlApi(controlUrl), [controlUrl]);
  const [pollTick, setPollTick] = useState(0);
  useInterval(() => setPollTick((t) => t + 1), FAULT_POLL_MS);
  const scenarios = useApi(`scenarios:${controlUrl}`, 0, (signal) => api.scenarios(signal));
  const faults = useApi(`faults:${controlUrl}`, pollTick, (signal) => api.faults(signal));
  const active = useApi(`active:${controlUrl}`, pollTick, (signal) => api.active(signal));
  const graph = useApi(`graph:${d.rangeKey}`, d.tick + pollTick, (signal) => collectorApi.graph(d.window, signal));
  // The collector's record of injected faults, drawn under the live map.
  const annotations = useApi(`annotations:${d.rangeKey}`, d.tick + pollTick, (signal) => collectorApi.annotations(d.window, signal));
  const layout = useMemo(() => (graph.data ? layoutGraph(graph.data).result : null), [graph.data]);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);

  const act = async (label: string, fn: () => Promise<unknown>) => {
    setBusy(label);
    setActionError(null);
    try {
      await fn();
      setPollTick((t) => t + 1);
    } catch (e) {
      if (isApiError(e)) setActionError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <main className="page page-chaos">
      <div className="page-head">
        <h1>Chaos panel</h1>
        <span className="muted">control server {controlUrl}</span>
      </div>
      {actionError && <ErrorState error={actionError} compact />}
      <div className="chaos-layout">
        <section className="panel" aria-label="Scenarios">
          <h2>Scenarios</h2>
          {scenarios.loading ? (
            <Loading what="scenarios" />
          ) : scenarios.error ? (
            <ErrorState error={scenarios.error} onRetry={scenarios.reload} compact />
          ) : (
            <ul className="scenarios">
              {scenarios.data?.map((s) => (
                <li key={s.name}>
                  <button type="button" disabled={busy !== null} onClick={() => act(s.name, () => api.start(s.name))} data-testid={`start-${s.name}`}>
                    ▶ Start {s.name}
                  </button>
                  <span>
                    {s.description}
                    {s.lookAt && <span className="look-at">Look at: {s.lookAt}</span>}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <button type="button" className="danger" disabled={busy !== null} onClick={() => act('stop', () => api.stop())}>
            ■ Stop scenario
          </button>
        </section>
        <section className="panel" aria-label="Active faults" data-testid="active-faults">
          <h2>Now running</h2>
          <p data-testid="active-scenario">
            {active.data ? (
              <>
                <strong>{active.data.name}</strong>{' '}
                <span className="muted">
                  since {formatTime(active.data.startMs)}
                  {active.data.durationMs > 0 ? `, ends ${formatTime(active.data.startMs + active.data.durationMs)}` : ''}
                </span>
              </>
            ) : (
              <span className="muted">no scenario</span>
            )}
          </p>
          <h2>Active faults</h2>
          {faults.error ? (
            <ErrorState error={faults.error} compact />
          ) : faults.data && faults.data.length === 0 ? (
            <p className="muted">No fault injected: the system should be healthy.</p>
          ) : (
            <ul>
              {faults.data?.map((f, i) => (
                <li key={i}>
                  <span className="err-tag">✸ {f.kind}</span> on <a href={linkTo({ page: 'service', service: f.service }, d.location.params)}>{f.service}</a>{' '}
                  <span className="muted">
                    since {formatTime(f.startMs)}
                    {f.endMs ? ` until ${formatTime(f.endMs)}` : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <p className="muted">
            Watch it spread on the map below, then open <a href={linkTo({ page: 'incidents' }, d.location.params)}>Incidents</a> for the root cause.
          </p>
        </section>
      </div>
      {layout && layout.nodes.length > 0 && (
        <>
          <ServiceMap layout={layout} heightPx={420} />
          <AnnotationStrip annotations={annotations.data ?? []} window={d.window} />
        </>
      )}
    </main>
  );
}
