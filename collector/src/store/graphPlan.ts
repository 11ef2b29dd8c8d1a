// Backend-independent part of ingest: which aggregates a batch of spans adds, and how caller
// and callee halves of a call pair up across batches. The backends supply batched lookups
// and apply the resulting writes in the same transaction as the spans.
import {
  bucketStart,
  callStats,
  calleeHint,
  emptyStats,
  isAttemptSpan,
  isCallerSide,
  isErrorSpan,
  isServerSide,
  mergeStats,
  nodeContribution,
  type Stats,
} from '../analysis/index.js';
import { correlationIdOf, type DeliveryView, isBackgroundWork, isSameDelivery, namespaceOf } from '../analysis/requestKinds.js';
import type { SpanRecord } from '../model.js';

/** A logical call (CLIENT or PRODUCER span) waiting for its callee's span. */
export interface PendingCall {
  traceId: string;
  spanId: string;
  source: string;
  bucketMs: number;
  stats: Stats;
  hint: string | null;
  receivedMs: number;
  /** The caller's `service.namespace`, '' when none. */
  namespace: string;
}

/** The callee half: a server-side span and the span id it points back to (parent or link). */
export interface ServerHalf {
  traceId: string;
  callerSpanId: string;
  service: string;
  receivedMs: number;
}

/** A retry attempt span of a logical call: servers may hang below the attempt, not the call. */
export interface AttemptAlias {
  traceId: string;
  spanId: string;
  callSpanId: string;
  receivedMs: number;
}

export interface SpanKey {
  traceId: string;
  spanId: string;
}

export interface PairingLookup {
  /** Aliases whose attempt span id is one of `keys`. */
  aliasesByAttempt(keys: readonly SpanKey[]): Promise<AttemptAlias[]>;
  /** Aliases whose call span id is one of `keys`. */
  aliasesByCall(keys: readonly SpanKey[]): Promise<AttemptAlias[]>;
  pendingCalls(keys: readonly SpanKey[]): Promise<PendingCall[]>;
  /** Server halves whose callerSpanId is one of `keys[].spanId`. */
  serversByCaller(keys: readonly SpanKey[]): Promise<ServerHalf[]>;
  /** Stored SERVER and CONSUMER spans of these services in these traces (this batch's included). */
  deliverySpans(keys: readonly { traceId: string; service: string }[]): Promise<DeliveryView[]>;
}

export interface NodeDelta {
  service: string;
  namespace: string;
  bucketMs: number;
  stats: Stats;
  /** Stats of root spans only (requests entering the system here); null when none. */
  entryStats: Stats | null;
  /** Root spans of background work (not requests): how many, and how many failed. */
  background: number;
  backgroundErrors: number;
}

export interface EdgeDelta {
  namespace: string;
  source: string;
  target: string;
  bucketMs: number;
  stats: Stats;
}

export interface TraceDelta {
  traceId: string;
  startMs: number;
  endMs: number;
  rootService: string | null;
  rootOperation: string | null;
  spanCount: number;
  errorCount: number;
  services: string[];
  namespace: string;
  correlationId: string | null;
  /** Callees (by hint) of caller spans in this trace that failed: finds traces of a service that sent no spans. */
  failedCallees: string[];
}

export interface GraphWrites {
  nodes: NodeDelta[];
  edges: EdgeDelta[];
  traces: TraceDelta[];
  services: string[];
  insertPending: PendingCall[];
  deletePending: SpanKey[];
  insertServers: ServerHalf[];
  deleteServers: ServerHalf[];
  insertAliases: AttemptAlias[];
}

const key = (traceId: string, spanId: string) => `${traceId}/${spanId}`;

function sortedByKey<T>(map: Map<string, T>): T[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

function addEdge(edges: Map<string, EdgeDelta>, call: Pick<PendingCall, 'source' | 'bucketMs' | 'stats' | 'namespace'>, target: string): void {
  const { source, bucketMs, stats, namespace } = call;
  const k = `${source}\u0000${target}\u0000${bucketMs}\u0000${namespace}`;
  const existing = edges.get(k);
  if (existing) mergeStats(existing.stats, stats);
  else {
    const copy = emptyStats();
    mergeStats(copy, stats);
    edges.set(k, { namespace, source, target, bucketMs, stats: copy });
  }
}

/**
 * Spans that are the second view of a delivery already counted (see isSameDelivery): the
 * earlier one in this batch, or one stored before, counts. Only services that have sent
 * CONSUMER spans are looked up (`consumerServices`, learned as batches arrive).
 */
async function repeatedDeliveries(spans: readonly SpanRecord[], lookup: PairingLookup, consumerServices: Set<string>): Promise<Set<SpanRecord>> {
  const candidates = spans.filter((s) => s.kind === 'server' || s.kind === 'consumer');
  for (const c of candidates) if (c.kind === 'consumer') consumerServices.add(c.service);
  const relevant = candidates.filter((c) => consumerServices.has(c.service));
  const repeated = new Set<SpanRecord>();
  if (relevant.length === 0) return repeated;
  const inBatch = new Set(spans.map((s) => key(s.traceId, s.spanId)));
  const pairs = new Map<string, { traceId: string; service: string }>();
  for (const c of relevant) pairs.set(`${c.traceId}\u0000${c.service}`, { traceId: c.traceId, service: c.service });
  const stored = new Map<string, DeliveryView[]>();
  for (const v of await lookup.deliverySpans([...pairs.values()])) {
    if (inBatch.has(key(v.traceId, v.spanId))) continue;
    const k = `${v.traceId}\u0000${v.service}`;
    stored.set(k, [...(stored.get(k) ?? []), v]);
  }
  const earlier = new Map<string, SpanRecord[]>();
  for (const c of relevant) {
    const k = `${c.traceId}\u0000${c.service}`;
    const before = earlier.get(k) ?? [];
    if ((stored.get(k) ?? []).some((v) => isSameDelivery(c, v)) || before.some((v) => !repeated.has(v) && isSameDelivery(c, v))) repeated.add(c);
    before.push(c);
    earlier.set(k, before);
  }
  return repeated;
}

function nodeDeltas(spans: readonly SpanRecord[], repeated: ReadonlySet<SpanRecord>): NodeDelta[] {
  const nodes = new Map<string, NodeDelta>();
  for (const span of spans) {
    if (repeated.has(span)) continue;
    const c = nodeContribution(span);
    if (!c) continue;
    const bucketMs = bucketStart(span.startMs);
    const namespace = namespaceOf(span);
    const k = `${c.service}\u0000${bucketMs}\u0000${namespace}`;
    let n = nodes.get(k);
    if (!n) {
      n = { service: c.service, namespace, bucketMs, stats: emptyStats(), entryStats: null, background: 0, backgroundErrors: 0 };
      nodes.set(k, n);
    }
    if (isBackgroundWork(span)) {
      n.background++;
      n.backgroundErrors += c.stats.errors;
      continue;
    }
    mergeStats(n.stats, c.stats);
    if (c.entry) {
      n.entryStats ??= emptyStats();
      mergeStats(n.entryStats, c.stats);
    }
  }
  return sortedByKey(nodes);
}

function traceDeltas(spans: readonly SpanRecord[]): TraceDelta[] {
  const traces = new Map<string, TraceDelta & { serviceSet: Set<string>; calleeSet: Set<string> }>();
  for (const s of spans) {
    let t = traces.get(s.traceId);
    if (!t) {
      t = {
        traceId: s.traceId, startMs: s.startMs, endMs: s.endMs, rootService: null, rootOperation: null, spanCount: 0, errorCount: 0, services: [],
        namespace: namespaceOf(s), correlationId: null, failedCallees: [], serviceSet: new Set(), calleeSet: new Set(),
      };
      traces.set(s.traceId, t);
    }
    t.startMs = Math.min(t.startMs, s.startMs);
    t.endMs = Math.max(t.endMs, s.endMs);
    t.spanCount++;
    const failed = isErrorSpan(s);
    if (failed) t.errorCount++;
    t.serviceSet.add(s.service);
    t.correlationId ??= correlationIdOf(s);
    if (failed && isCallerSide(s)) {
      const hint = calleeHint(s);
      if (hint !== null && !hint.includes(',')) t.calleeSet.add(hint.slice(0, 256));
    }
    if (s.parentSpanId === '') {
      t.rootService = s.service;
      t.rootOperation = s.name;
    }
  }
  return sortedByKey(traces).map(({ serviceSet, calleeSet, ...t }) => ({ ...t, services: [...serviceSet].sort(), failedCallees: [...calleeSet].sort() }));
}

/**
 * Plans every write a batch causes. Pairing rule (architecture.md): a server-side span S
 * pairs with the caller-side span C when S.parentSpanId (or one of S's links) is C, or is a
 * retry attempt of C. Halves that find no partner are remembered for the other half.
 */
export async function planGraphWrites(spans: readonly SpanRecord[], lookup: PairingLookup, nowMs: number, consumerServices: Set<string> = new Set()): Promise<GraphWrites> {
  const byKey = new Map<string, SpanRecord>();
  for (const s of spans) byKey.set(key(s.traceId, s.spanId), s);

  // Attempts of a logical call, and the calls themselves.
  const batchAliases = new Map<string, AttemptAlias>(); // attempt key → alias
  const attemptsOfCall = new Map<string, SpanRecord[]>();
  const calls: SpanRecord[] = [];
  for (const s of spans) {
    if (!isCallerSide(s)) continue;
    const parent = s.parentSpanId ? byKey.get(key(s.traceId, s.parentSpanId)) : undefined;
    const attempt = parent ? isAttemptSpan(s, parent) : s.parentSpanId !== '' && isAttemptSpan(s);
    if (attempt) {
      batchAliases.set(key(s.traceId, s.spanId), { traceId: s.traceId, spanId: s.spanId, callSpanId: s.parentSpanId, receivedMs: nowMs });
      const k = key(s.traceId, s.parentSpanId);
      const list = attemptsOfCall.get(k) ?? [];
      list.push(s);
      attemptsOfCall.set(k, list);
    } else calls.push(s);
  }

  // Server halves: one per parent and one per link.
  const halves: ServerHalf[] = [];
  for (const s of spans) {
    if (!isServerSide(s)) continue;
    if (s.parentSpanId) halves.push({ traceId: s.traceId, callerSpanId: s.parentSpanId, service: s.service, receivedMs: nowMs });
    for (const link of s.links) halves.push({ traceId: link.traceId, callerSpanId: link.spanId, service: s.service, receivedMs: nowMs });
  }

  // Resolve each half's caller id through attempt aliases (batch first, then stored).
  const storedAliases = await lookup.aliasesByAttempt(halves.filter((h) => !batchAliases.has(key(h.traceId, h.callerSpanId))).map((h) => ({ traceId: h.traceId, spanId: h.callerSpanId })));
  const aliasOf = new Map<string, string>();
  for (const a of [...storedAliases, ...batchAliases.values()]) aliasOf.set(key(a.traceId, a.spanId), a.callSpanId);
  const callIdOf = (h: ServerHalf) => aliasOf.get(key(h.traceId, h.callerSpanId)) ?? h.callerSpanId;

  const edges = new Map<string, EdgeDelta>();
  const pairedCalls = new Set<string>();
  const writes: GraphWrites = {
    nodes: nodeDeltas(spans, await repeatedDeliveries(spans, lookup, consumerServices)),
    edges: [],
    traces: traceDeltas(spans),
    services: [...new Set(spans.map((s) => s.service))].sort(),
    insertPending: [],
    deletePending: [],
    insertServers: [],
    deleteServers: [],
    insertAliases: [...batchAliases.values()],
  };

  const callInfo = (c: SpanRecord): PendingCall => ({
    traceId: c.traceId,
    spanId: c.spanId,
    source: c.service,
    bucketMs: bucketStart(c.startMs),
    stats: callStats(c, attemptsOfCall.get(key(c.traceId, c.spanId)) ?? []),
    hint: calleeHint(c),
    receivedMs: nowMs,
    namespace: namespaceOf(c),
  });
  const batchCalls = new Map<string, SpanRecord>();
  for (const c of calls) batchCalls.set(key(c.traceId, c.spanId), c);

  // 1. Halves whose call is in this batch or waiting in the pending table.
  const unmatched: ServerHalf[] = [];
  const needPending: SpanKey[] = [];
  for (const h of halves) {
    const k = key(h.traceId, callIdOf(h));
    if (batchCalls.has(k)) {
      if (pairedCalls.has(k)) continue;
      const c = batchCalls.get(k)!;
      pairedCalls.add(k);
      addEdge(edges, callInfo(c), h.service);
    } else {
      needPending.push({ traceId: h.traceId, spanId: callIdOf(h) });
      unmatched.push(h);
    }
  }
  const pending = new Map<string, PendingCall>();
  for (const p of await lookup.pendingCalls(needPending)) pending.set(key(p.traceId, p.spanId), p);
  for (const h of unmatched) {
    const k = key(h.traceId, callIdOf(h));
    const p = pending.get(k);
    if (p && !pairedCalls.has(k)) {
      pairedCalls.add(k);
      addEdge(edges, p, h.service);
      writes.deletePending.push({ traceId: p.traceId, spanId: p.spanId });
    } else if (!p) writes.insertServers.push(h);
  }

  // 2. Calls of this batch not yet paired: look for halves stored earlier (directly or via attempts).
  const open = calls.filter((c) => !pairedCalls.has(key(c.traceId, c.spanId)));
  const openKeys = open.map((c) => ({ traceId: c.traceId, spanId: c.spanId }));
  const aliasesOfOpen = await lookup.aliasesByCall(openKeys);
  const callerIds: SpanKey[] = [...openKeys, ...aliasesOfOpen.map((a) => ({ traceId: a.traceId, spanId: a.spanId }))];
  for (const a of batchAliases.values()) if (!pairedCalls.has(key(a.traceId, a.callSpanId))) callerIds.push({ traceId: a.traceId, spanId: a.spanId });
  const storedServers = await lookup.serversByCaller(callerIds);
  const callOfCaller = new Map<string, string>();
  for (const a of [...aliasesOfOpen, ...batchAliases.values()]) callOfCaller.set(key(a.traceId, a.spanId), a.callSpanId);
  const serverForCall = new Map<string, ServerHalf>();
  for (const s of storedServers) {
    const callId = callOfCaller.get(key(s.traceId, s.callerSpanId)) ?? s.callerSpanId;
    const k = key(s.traceId, callId);
    if (!serverForCall.has(k)) serverForCall.set(k, s);
  }
  for (const c of open) {
    const k = key(c.traceId, c.spanId);
    const info = callInfo(c);
    const server = serverForCall.get(k);
    if (server) {
      addEdge(edges, info, server.service);
      writes.deleteServers.push(server);
    } else writes.insertPending.push(info);
  }

  writes.edges = sortedByKey(edges);
  return writes;
}

/** Where a call whose callee never reported goes: the known service its hint names, else a virtual node. */
export function targetOfHint(hint: string | null): string {
  return hint && hint.trim() !== '' ? hint : 'unknown';
}

/** Consuming services per messaging destination (or event type) their CONSUMER spans named. */
export type DestinationConsumers = ReadonlyMap<string, readonly string[]>;

/**
 * Targets of an unanswered call: a messaging destination whose consumers are known services is
 * an edge to each of them (every consumer gets the message), anything else targetOfHint().
 */
export function targetsOfHint(hint: string | null, consumers: DestinationConsumers): readonly string[] {
  const known = hint ? consumers.get(hint) : undefined;
  return known && known.length > 0 ? known : [targetOfHint(hint)];
}

/** Destinations a batch's CONSUMER spans consumed from, with the consuming service. */
export function consumedDestinations(spans: readonly SpanRecord[]): { destination: string; service: string }[] {
  const out = new Map<string, { destination: string; service: string }>();
  for (const s of spans) {
    if (s.kind !== 'consumer') continue;
    for (const k of ['messaging.destination.name', 'messaging.destination', 'faultline.event.type']) {
      const v = s.attributes[k];
      if (typeof v === 'string' && v !== '' && v.length <= 256) out.set(`${v}\u0000${s.service}`, { destination: v, service: s.service });
    }
  }
  return [...out.values()].sort((a, b) => (a.destination + a.service < b.destination + b.service ? -1 : 1));
}

/** Edges for calls that waited too long (or, when `servers` has their partner, late pairs). */
export function planExpiredEdges(expired: readonly PendingCall[], servers: readonly ServerHalf[], consumers: DestinationConsumers = new Map()): { edges: EdgeDelta[]; pairedServers: ServerHalf[] } {
  const serverOf = new Map<string, ServerHalf>();
  for (const s of servers) if (!serverOf.has(key(s.traceId, s.callerSpanId))) serverOf.set(key(s.traceId, s.callerSpanId), s);
  const edges = new Map<string, EdgeDelta>();
  const pairedServers: ServerHalf[] = [];
  for (const p of expired) {
    const server = serverOf.get(key(p.traceId, p.spanId));
    if (server) {
      pairedServers.push(server);
      addEdge(edges, p, server.service);
    } else for (const target of targetsOfHint(p.hint, consumers)) addEdge(edges, p, target);
  }
  return { edges: sortedByKey(edges), pairedServers };
}
