import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { collectorApi } from '../api/collector.js';
import { annotationSchema, graphDeltaSchema, graphSchema } from '../api/schemas.js';
import type { Annotation, DashboardConfig, Graph } from '../api/types.js';
import { applyGraphDelta, upsertAnnotation } from '../model/streamUpdates.js';
import { parseRefresh, parseTimeRange, resolveWindow, writeTimeRange, type TimeRange, type TimeWindow } from '../model/timeRange.js';
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
  /** Stable while the range is unchanged (a relative range keeps its key as time moves on). */
  rangeKey: string;
  /** The window every view queries, re-resolved on each tick. */
  window: TimeWindow;
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
  const onStream = useCallback(
    (events: StreamEvent[]) => {
      let needsRefetch = false;
      for (const e of events) {
        const body = parseJson(e.data);
        if (e.type === 'graph' || e.type === 'graph.delta') {
          if (!streamCoversRange) {
            needsRefetch = true;
            continue;
          }
          if (e.type === 'graph') {
            const g = graphSchema.safeParse(body);
            if (g.success) setStreamGraph({ graph: g.data, receivedMs: Date.now() });
            else needsRefetch = true;
          } else {
            const delta = graphDeltaSchema.safeParse(body);
            // A delta needs the graph it applies to; without one, the next `graph` event brings it.
            if (delta.success) setStreamGraph((cur) => (cur ? { graph: applyGraphDelta(cur.graph, delta.data), receivedMs: Date.now() } : cur));
            else needsRefetch = true;
          }
        } else if (e.type === 'annotation') {
          const a = annotationSchema.safeParse(body);
          if (a.success) setStreamAnnotations((list) => upsertAnnotation(list, a.data, STREAM_ANNOTATIONS_MAX));
          else needsRefetch = true;
        } else if (e.type !== 'services') {
          // incidents and breaker transitions: the views that show them refetch.
          needsRefetch = true;
        }
      }
      if (needsRefetch) bump();
    },
    [bump, streamCoversRange],
  );
  const stream = useStream(!paused, onStream);
  useInterval(bump, paused ? null : refresh.periodMs);

  const rangeKey = range.kind === 'absolute' ? `${range.fromMs}-${range.toMs}` : `${range.durationMs}`;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const window = useMemo(() => resolveWindow(range, nowMs), [rangeKey, nowMs]);

  const setRange = useCallback(
    (next: TimeRange) => {
      const params = writeTimeRange(location.params, next);
      const changes: Record<string, string | null> = { range: params.get('range'), from: params.get('from'), to: params.get('to') };
      location.setParams(changes);
      setNowMs(Date.now());
    },
    [location],
  );
  const setRefresh = useCallback((label: string) => location.setParams({ refresh: label === '15s' ? null : label }), [location]);
  const config = useApi('config', 0, (signal) => collectorApi.config(signal).catch(() => ({ controlUrl: null }))).data;

  return {
    location,
    range,
    rangeWarnings,
    rangeKey,
    window,
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
    streamGraph: streamCoversRange && !paused ? streamGraph : null,
    streamAnnotations,
  };
}
