// The GET /api/services answer: each service's own figures, its background work, and what
// its callers saw of it, so that a service that is down (no spans of its own) still shows
// its failures. Pure.
import { aggregateGraph, type GraphInput, type RateFigures, type RedFigures, windowFigures } from './serviceGraph.js';
import { WindowAggregate } from './windowFigures.js';
import { mergeStats } from './stats.js';

export interface CallerView extends RedFigures, RateFigures {
  /** The calling service. */
  service: string;
  retries: number;
  timeouts: number;
  shortCircuits: number;
}

export interface ServiceAnswer extends RedFigures, RateFigures {
  name: string;
  /** Root spans of background work in the window (pollers, relays, saga steps): not in `requests`. */
  background: number;
  backgroundErrors: number;
  /** Calls to this service as its callers saw them, one entry per caller, by name. */
  callers: CallerView[];
  /** All callers' calls added up: the service's figures when it sent no spans of its own. */
  seenByCallers: RedFigures & RateFigures & { retries: number; timeouts: number; shortCircuits: number };
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Services with spans of their own in the window, and known services that were called but sent none. */
export function serviceAnswers(input: GraphInput, toMs: number = Number.POSITIVE_INFINITY): ServiceAnswer[] {
  const g = aggregateGraph(input, toMs);
  const callers = new Map<string, CallerView[]>();
  const seen = new Map<string, WindowAggregate>();
  for (const { source, target, agg } of g.edges.values()) {
    const list = callers.get(target) ?? [];
    list.push({ service: source, ...windowFigures(agg, g.clock), retries: agg.total.retries, timeouts: agg.total.timeouts, shortCircuits: agg.total.shortCircuits });
    callers.set(target, list);
    let into = seen.get(target);
    if (!into) seen.set(target, (into = new WindowAggregate()));
    mergeStats(into.total, agg.total);
    mergeStats(into.current, agg.current);
  }
  const names = new Set(g.nodes.keys());
  for (const target of callers.keys()) if (g.knownServices.has(target)) names.add(target);
  return [...names].sort(byName).map((name) => {
    const own = g.nodes.get(name) ?? new WindowAggregate();
    const view = seen.get(name) ?? new WindowAggregate();
    return {
      name,
      ...windowFigures(own, g.clock),
      background: own.background,
      backgroundErrors: own.backgroundErrors,
      callers: (callers.get(name) ?? []).sort((a, b) => byName(a.service, b.service)),
      seenByCallers: { ...windowFigures(view, g.clock), retries: view.total.retries, timeouts: view.total.timeouts, shortCircuits: view.total.shortCircuits },
    };
  });
}
