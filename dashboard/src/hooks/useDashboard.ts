import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { collectorApi } from '../api/collector.js';
import { annotationSchema, graphDeltaSchema, graphSchema } from '../api/schemas.js';
import type { TimeWindow as ApiWindow } from '../api/collector.js';
import type { Annotation, DashboardConfig, Graph, Run } from '../api/types.js';
import { parseRun, RUN_PARAM, writeRun } from '../model/run.js';
import { applyGraphDelta, streamEventUse, upsertAnnotation } from '../model/streamUpdates.js';
import { parseRefresh, parseTimeRange, resolveWindow, writeTimeRange, type TimeRange } from '../model/timeRange.js';
import { coveredWindowMs } from '../model/series.js';
import { useApi } from './useApi.js';
import { useInterval } from './useInterval.js';
import { useLocation, type LocationApi } from './useLocation.js';
import { useStream, type StreamEvent, type StreamStatus } from './useStream.js';

/** The window the collector's stream computes its graph event over (its default range). */
export const STREAM_GRAPH_WINDOW_MS = 15 * 60_000;

export interface Dashboard {
  location: LocationApi;
  range: TimeRange;
  rangeWarnings: string[];
  /** A `run=` the URL held but that was ignored (all runs shown). */
  runWarnings: string[];
  /** Stable while the range and run are unchanged (a relative range keeps its key as time moves on). */
  rangeKey: string;
  /** The window every view queries, re-resolved on each tick, with the selected run (the api layer sends it). */
  window: ApiWindow;
  /** The selected run (`service.namespace`, `run=` in the URL); null for all runs. */
  run: string | null;
  setRun: (run: string | null) => void;
  /** The runs with data in the window, newest first (undefined until the first answer). */
  runs: Run[] | undefined;
  /** Time the collector's answers for `window` cover (whole minutes), for per-second rates. */
  windowMs: number;
  tick: number;
  /** Advances at most every SLOW_TICK_MIN_GAP_MS (or on a manual refresh): for views that read many traces. */
  slowTick: number;
  refreshNow: () => void;
  setRange: (range: TimeRange) => void;
  refresh: { label: string; periodMs: number | null };
  setRefresh: (label: string) => void;
  live: { status: StreamStatus; paused: boolean; toggle: () => void; reason: string | null };
  config: DashboardConfig | undefined;
  /** The stream's latest graph, when it covers the current range (relative, STREAM_GRAPH_WINDOW_MS). */
  streamGraph: { graph: Graph; receivedMs: number } | null;
  /** Annotations the stream announced since the page loaded (new ones, and ones that grew). */
  streamAnnotations: Annotation[];
}

const NO_ANNOTATIONS: Annotation[] = [];
/** Annotations kept from the stream. */
const STREAM_ANNOTATIONS_MAX = 200;

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

export const SLOW_TICK_MIN_GAP_MS = 15_000;

export const DashboardContext = createContext<Dashboard | null>(null);

export function useDashboard(): Dashboard {
  const d = useContext(DashboardContext);
  if (!d) throw new Error('useDashboard outside DashboardContext');
  return d;
}

export function useDashboardState(): Dashboard {
  const location = useLocation();
  const { result: range, warnings: rangeWarnings } = parseTimeRange(location.params);
  const { result: run, warnings: runWarnings } = parseRun(location.params);
  const refresh = parseRefresh(location.params.get('refresh'));
  const [userPaused, setUserPaused] = useState(false);
  const [tick, setTick] = useState(0);
  const [slowTick, setSlowTick] = useState(0);
  const lastSlowMs = useRef(Date.now());
  const [nowMs, setNowMs] = useState(() => Date.now());
  const advance = useCallback((force: boolean) => {
    const now = Date.now();
    setNowMs(now);
    setTick((t) => t + 1);
    if (force || now - lastSlowMs.current >= SLOW_TICK_MIN_GAP_MS) {
      lastSlowMs.current = now;
      setSlowTick((t) => t + 1);
    }
  }, []);
  const bump = useCallback(() => advance(false), [advance]);
  const refreshNow = useCallback(() => advance(true), [advance]);

  // A fixed window in the past does not move, so there is nothing to follow live.
  const fixed = range.kind === 'absolute';
  const paused = userPaused || fixed;
  const [streamGraph, setStreamGraph] = useState<{ graph: Graph; receivedMs: number } | null>(null);
  const [streamAnnotations, setStreamAnnotations] = useState<Annotation[]>([]);
  const streamCoversRange = range.kind === 'relative' && range.durationMs === STREAM_GRAPH_WINDOW_MS;
  // The stream's payloads add up every run: with a run selected they would show other runs'
  // figures and markers, so events only make the views refetch (their calls carry the run).
  const runSelected = run !== null;
  const onStream = useCallback(
    (events: StreamEvent[]) => {
      let needsRefetch = false;
      for (const e of events) {
        const use = streamEventUse(e.type, { runSelected, streamCoversRange });
        if (use === 'ignore') continue;
        if (use === 'refetch') {
          needsRefetch = true;
          continue;
        }
        const body = parseJson(e.data);
        if (e.type === 'graph') {
          const g = graphSchema.safeParse(body);
          if (g.success) setStreamGraph({ graph: g.data, receivedMs: Date.now() });
          else needsRefetch = true;
        } else if (e.type === 'graph.delta') {
          const delta = graphDeltaSchema.safeParse(body);
          // A delta needs the graph it applies to; without one, the next `graph` event brings it.
          if (delta.success) setStreamGraph((cur) => (cur ? { graph: applyGraphDelta(cur.graph, delta.data), receivedMs: Date.now() } : cur));
          else needsRefetch = true;
        } else if (e.type === 'annotation') {
          const a = annotationSchema.safeParse(body);
          if (a.success) setStreamAnnotations((list) => upsertAnnotation(list, a.data, STREAM_ANNOTATIONS_MAX));
          else needsRefetch = true;
        }
      }
      if (needsRefetch) bump();
    },
    [bump, streamCoversRange, runSelected],
  );
  const stream = useStream(!paused, onStream);
  useInterval(bump, paused ? null : refresh.periodMs);

  const timeKey = range.kind === 'absolute' ? `${range.fromMs}-${range.toMs}` : `${range.durationMs}`;
  const rangeKey = run === null ? timeKey : `${timeKey}@${run}`;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const timeWindow = useMemo(() => resolveWindow(range, nowMs), [timeKey, nowMs]);
  const window = useMemo<ApiWindow>(() => (run === null ? timeWindow : { ...timeWindow, run }), [timeWindow, run]);
  // The selector's list is never filtered by the run (its window only); it changes slowly.
  const runs = useApi(`runs:${timeKey}`, slowTick, (signal) => collectorApi.namespaces(timeWindow, signal)).data;

  const setRange = useCallback(
    (next: TimeRange) => {
      const params = writeTimeRange(location.params, next);
      const changes: Record<string, string | null> = { range: params.get('range'), from: params.get('from'), to: params.get('to') };
      location.setParams(changes);
      setNowMs(Date.now());
    },
    [location],
  );
  const setRun = useCallback((next: string | null) => location.setParams({ [RUN_PARAM]: writeRun(location.params, next).get(RUN_PARAM) }), [location]);
  const setRefresh = useCallback((label: string) => location.setParams({ refresh: label === '15s' ? null : label }), [location]);
  const config = useApi('config', 0, (signal) => collectorApi.config(signal).catch(() => ({ controlUrl: null }))).data;

  return {
    location,
    range,
    rangeWarnings,
    runWarnings,
    rangeKey,
    window,
    run,
    setRun,
    runs,
    windowMs: coveredWindowMs(window),
    tick,
    slowTick,
    refreshNow,
    setRange,
    refresh,
    setRefresh,
    live: {
      status: stream.status,
      paused,
      toggle: () => setUserPaused((p) => !p),
      reason: fixed ? 'fixed time range' : userPaused ? 'paused by you' : null,
    },
    config,
    streamGraph: streamCoversRange && !paused && !runSelected ? streamGraph : null,
    streamAnnotations: runSelected ? NO_ANNOTATIONS : streamAnnotations,
  };
}
