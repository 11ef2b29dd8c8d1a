// Cumulative request/call counters for /metrics, read from the store's per-minute aggregates
// (the same ones /api/services and /api/graph answer from, so rate() agrees with them, and
// edges come out of the store's caller/callee pairing).
//
// Counter = frozen base + the live window. Minutes older than `liveWindowMs` are added into
// the in-memory base once and never read again; the live minutes are re-read on each scrape,
// so late spans and late pairings of recent minutes still count. Each series is then held at
// its highest value so far (element-wise, buckets included): Prometheus' rate() needs
// counters that never go down, and a pending call that later pairs with another target must
// not make its old series drop. Counters start at process start (covering the live window
// before it); Prometheus treats the restart as a counter reset.
import { bucketStart, BUCKET_MS, emptyStats, mergeStats, type Stats } from '../analysis/index.js';
import type { TraceStore } from '../store/index.js';
import { OTHER, type SeriesBudget } from './SeriesBudget.js';

export const LIVE_WINDOW_MS = 10 * BUCKET_MS;

export interface CounterSnapshot {
  /** Per service (server-side and root spans), already folded under the series cap. */
  nodes: Map<string, Stats>;
  /** Per `client\u0000server` pair. */
  edges: Map<string, Stats>;
}

export const EDGE_KEY_SEPARATOR = '\u0000';
export const edgeKey = (client: string, server: string) => `${client}${EDGE_KEY_SEPARATOR}${server}`;
export const OTHER_EDGE = edgeKey(OTHER, OTHER);

function maxInto(into: Stats, from: Stats): void {
  into.requests = Math.max(into.requests, from.requests);
  into.errors = Math.max(into.errors, from.errors);
  into.retries = Math.max(into.retries, from.retries);
  into.timeouts = Math.max(into.timeouts, from.timeouts);
  into.shortCircuits = Math.max(into.shortCircuits, from.shortCircuits);
  for (let i = 0; i < from.histogram.length; i++) into.histogram[i] = Math.max(into.histogram[i] ?? 0, from.histogram[i] ?? 0);
}

function add(map: Map<string, Stats>, key: string, stats: Stats): void {
  let s = map.get(key);
  if (!s) map.set(key, (s = emptyStats()));
  mergeStats(s, stats);
}

export class AggregateCounters {
  private frozenUntilMs: number | null = null;
  private readonly base: CounterSnapshot = { nodes: new Map(), edges: new Map() };
  private readonly highest: CounterSnapshot = { nodes: new Map(), edges: new Map() };
  private busy: Promise<CounterSnapshot> | null = null;

  constructor(
    private readonly store: TraceStore,
    private readonly budget: SeriesBudget,
    private readonly liveWindowMs = LIVE_WINDOW_MS,
  ) {}

  /** Concurrent scrapes share one read. */
  snapshot(nowMs = Date.now()): Promise<CounterSnapshot> {
    if (!this.busy) this.busy = this.read(nowMs).finally(() => (this.busy = null));
    return this.busy;
  }

  private nodeKey(service: string): string {
    return this.budget.admit('node', service) ? service : OTHER;
  }

  private edgeKeyOf(client: string, server: string): string {
    const key = edgeKey(client, server);
    return this.budget.admit('edge', key) ? key : OTHER_EDGE;
  }

  /** Adds aggregates into `into`, admitting new label sets busiest first so they win the cap. */
  private async addRange(into: CounterSnapshot, fromMs: number, toMs: number): Promise<void> {
    const input = await this.store.graphInput({ fromMs, toMs });
    const nodes = new Map<string, Stats>();
    for (const n of input.nodes) add(nodes, n.service, n.stats);
    const edges = new Map<string, Stats>();
    for (const e of input.edges) add(edges, edgeKey(e.source, e.target), e.stats);
    const busiest = (m: Map<string, Stats>) => [...m.entries()].sort((a, b) => b[1].requests - a[1].requests || (a[0] < b[0] ? -1 : 1));
    for (const [service, stats] of busiest(nodes)) add(into.nodes, this.nodeKey(service), stats);
    for (const [key, stats] of busiest(edges)) {
      const [client, server] = key.split(EDGE_KEY_SEPARATOR) as [string, string];
      add(into.edges, this.edgeKeyOf(client, server), stats);
    }
  }

  private async read(nowMs: number): Promise<CounterSnapshot> {
    const liveFromMs = bucketStart(nowMs) - this.liveWindowMs;
    if (this.frozenUntilMs === null) this.frozenUntilMs = liveFromMs;
    if (liveFromMs > this.frozenUntilMs) {
      await this.addRange(this.base, this.frozenUntilMs, liveFromMs - 1);
      this.frozenUntilMs = liveFromMs;
    }
    const total: CounterSnapshot = { nodes: new Map(), edges: new Map() };
    for (const [k, s] of this.base.nodes) add(total.nodes, k, s);
    for (const [k, s] of this.base.edges) add(total.edges, k, s);
    await this.addRange(total, this.frozenUntilMs, nowMs);
    for (const kind of ['nodes', 'edges'] as const) {
      for (const [k, s] of total[kind]) {
        let h = this.highest[kind].get(k);
        if (!h) this.highest[kind].set(k, (h = emptyStats()));
        maxInto(h, s);
      }
    }
    return this.highest;
  }
}
