// Root-cause ranking of a cascading failure: for every failing or slow request
// at an entry point, find where the failure *started* (not where it passed
// through), then score each (service, operation) by the share of the
// incident's bad requests it explains beyond what it explained before.
import type { SpanRecord } from '../model.js';
import { calleeHint, isServerSide } from './spanContribution.js';
import { calleeAddress } from './semconv.js';
import { indexTraces, selfTimeMs, type SpanNode, type Trace } from './traceIndex.js';

export interface RootCauseInput {
  /** Spans of the incident window (whole traces, possibly a bounded sample). */
  spans: readonly SpanRecord[];
  /** Spans from before the incident: what normal looked like. May be empty. */
  baselineSpans: readonly SpanRecord[];
  /** Entry-point services whose users saw the failure; empty means every root span. */
  entryServices: readonly string[];
}

export interface RootCauseOptions {
  /** Entry duration that counts as slow when neither the baseline nor the window says otherwise. Default 1000 ms. */
  slowAbsoluteMs?: number;
  /** Fewest requests of an entry operation to derive its slow threshold from. Default 5. */
  minBaselineRequests?: number;
  /** Most causes returned. Default 20. */
  maxResults?: number;
}

export interface RootCause {
  service: string;
  operation: string;
  /** 0..1: share of the incident's failing and slow requests that start here, beyond the baseline's share. */
  score: number;
  /** One sentence with the figures behind the score. */
  reason: string;
  /** Services from the root cause to the entry point, along the calls the failure travelled. */
  path: string[];
  /** The cause reported no spans in the window (down, unreachable or not instrumented). */
  virtual: boolean;
  failingRequests: number;
  slowRequests: number;
}

interface Blame {
  service: string;
  operation: string;
}

interface Share {
  blame: Blame;
  weight: number;
  /** The node to trace the propagation path from. */
  from: SpanNode;
  /** What the caller saw, for a callee that never answered. */
  message?: string;
  /** Time (ms) of the request this key accounts for, in latency shares. */
  ms?: number;
}

interface Tally {
  blame: Blame;
  errorWeight: number;
  latencyWeight: number;
  failingRequests: number;
  slowRequests: number;
  paths: Map<string, { path: string[]; weight: number }>;
  messages: Map<string, number>;
  /** Time (ms) this key added to each slow request it was blamed in. */
  addedMs: number[];
}

interface Attribution {
  requests: number;
  failing: number;
  slow: number;
  tallies: Map<string, Tally>;
}

const SEP = '\u0000';
const MAX_DEPTH = 256;
const MAX_NESTING = 8;
const keyOf = (b: Blame) => b.service + SEP + b.operation;

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function selfOf(node: SpanNode): number {
  if (node.selfMs === undefined) node.selfMs = selfTimeMs(node);
  return node.selfMs;
}

const endOf = (s: SpanRecord) => s.startMs + Math.max(0, s.durationMs);

/**
 * The failed children whose failure the parent passed on: a failure after
 * which the parent went on to start other work (a fallback, or the next
 * attempt of a retry) was absorbed there. If every failure looks absorbed,
 * the last one to end is kept.
 */
function propagatedFailures(children: readonly SpanNode[]): SpanNode[] {
  let failedCount = 0;
  let lastStartMs = -Infinity;
  for (const c of children) {
    if (c.error) failedCount++;
    if (c.span.startMs > lastStartMs) lastStartMs = c.span.startMs;
  }
  if (failedCount === 0) return [];
  const propagated: SpanNode[] = [];
  let lastFailed: SpanNode | null = null;
  for (const c of children) {
    if (!c.error) continue;
    if (!(lastStartMs >= endOf(c.span))) propagated.push(c);
    if (lastFailed === null || endOf(c.span) > endOf(lastFailed.span)) lastFailed = c;
  }
  return propagated.length > 0 ? propagated : [lastFailed!];
}

function failureMessage(span: SpanRecord): string {
  const errorType = span.attributes['error.type'];
  const raw = span.statusMessage || (typeof errorType === 'string' ? errorType : '') || 'no response';
  return raw.length > 80 ? `${raw.slice(0, 77)}...` : raw;
}

/** Everything that does not change between the baseline pass and the incident pass. */
class Analyzer {
  /** callee network address or hint → the service seen answering there. */
  private readonly addressToService = new Map<string, string>();
  private readonly reportingServices = new Set<string>();
  private readonly entrySet: ReadonlySet<string>;
  private readonly blames = new Map<string, Blame>();
  private readonly keysByService = new Map<string, Map<string, string>>();
  private readonly entries = new WeakMap<Trace, SpanNode | null>();
  private baselineSelfMs = new Map<string, number>();
  private baselineCallSelfMs = new Map<string, number>();
  private slowThresholdMs = new Map<string, number>();

  constructor(
    entryServices: readonly string[],
    private readonly options: Required<RootCauseOptions>,
  ) {
    this.entrySet = new Set(entryServices);
  }

  learnAddresses(traces: readonly Trace[], reporting: boolean): void {
    for (const trace of traces) {
      for (const node of trace.nodes) {
        if (reporting) this.reportingServices.add(node.span.service);
        if (!node.caller) continue;
        const callee = calleeChild(node);
        if (!callee || callee.span.service === node.span.service) continue;
        const hint = calleeHint(node.span);
        if (hint !== null && !this.addressToService.has(hint)) this.addressToService.set(hint, callee.span.service);
        const address = calleeAddress(node.span);
        if (address !== null && !this.addressToService.has(address)) this.addressToService.set(address, callee.span.service);
      }
    }
  }

  learnBaseline(traces: readonly Trace[]): void {
    // A callee's own work and its callers' wait on the wire have different normal self-times.
    const selfPerSpan = new Map<string, number[]>();
    const selfPerCall = new Map<string, number[]>();
    const entryDurations = new Map<string, number[]>();
    for (const trace of traces) {
      const entry = this.entryOf(trace);
      if (!entry) continue;
      push(entryDurations, entry.span.service + SEP + entry.span.name, entry.span.durationMs);
      for (const node of trace.nodes) push(node.caller ? selfPerCall : selfPerSpan, this.blameKeyOf(node), selfOf(node));
    }
    this.baselineSelfMs = new Map();
    for (const [key, samples] of selfPerSpan) this.baselineSelfMs.set(key, median(samples));
    this.baselineCallSelfMs = new Map();
    for (const [key, samples] of selfPerCall) this.baselineCallSelfMs.set(key, median(samples));
    this.slowThresholdMs = this.slowThresholds(entryDurations, (p95) => Math.max(p95 * 1.5, p95 + 50), 0.95);
  }

  private slowThresholds(durations: Map<string, number[]>, from: (q: number) => number, q: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [opKey, list] of durations) {
      if (list.length < this.options.minBaselineRequests) continue;
      list.sort((a, b) => a - b);
      out.set(opKey, from(quantile(list, q)));
    }
    return out;
  }

  baselineSelf(key: string): number | undefined {
    return this.baselineSelfMs.get(key) ?? this.baselineCallSelfMs.get(key);
  }

  isVirtual(service: string): boolean {
    return !this.reportingServices.has(service);
  }

  blame(key: string): Blame {
    return this.blames.get(key)!;
  }

  attribute(traces: readonly Trace[]): Attribution {
    const result: Attribution = { requests: 0, failing: 0, slow: 0, tallies: new Map() };
    const windowThresholds = this.windowSlowThresholds(traces);
    for (const trace of traces) {
      const entry = this.entryOf(trace);
      if (!entry) continue;
      result.requests++;
      if (entry.error) {
        result.failing++;
        this.record(result, entry, this.errorShares(entry, 0), 'error');
        continue;
      }
      const opKey = entry.span.service + SEP + entry.span.name;
      const threshold = this.slowThresholdMs.get(opKey) ?? windowThresholds.get(opKey) ?? this.options.slowAbsoluteMs;
      if (entry.span.durationMs > threshold) {
        result.slow++;
        this.record(result, entry, this.latencyShares(entry, 0), 'latency');
      }
    }
    return result;
  }

  /**
   * Without a baseline for an entry operation, a request is slow beyond the
   * absolute threshold or beyond 3× the window's own median: the slowest
   * requests of the window still show where the time went.
   */
  private windowSlowThresholds(traces: readonly Trace[]): Map<string, number> {
    const durations = new Map<string, number[]>();
    for (const trace of traces) {
      const entry = this.entryOf(trace);
      if (!entry || entry.error) continue;
      const opKey = entry.span.service + SEP + entry.span.name;
      if (!this.slowThresholdMs.has(opKey)) push(durations, opKey, entry.span.durationMs);
    }
    return this.slowThresholds(durations, (mid) => Math.min(this.options.slowAbsoluteMs, Math.max(mid * 3, mid + 50)), 0.5);
  }

  /** The request as its entry service saw it: the topmost span of an entry service. */
  private entryOf(trace: Trace): SpanNode | null {
    let entry = this.entries.get(trace);
    if (entry === undefined) {
      entry = this.findEntry(trace);
      this.entries.set(trace, entry);
    }
    return entry;
  }

  private findEntry(trace: Trace): SpanNode | null {
    const earliest = (nodes: readonly SpanNode[], accept: (n: SpanNode) => boolean) => {
      let best: SpanNode | null = null;
      for (const n of nodes) if (accept(n) && (best === null || n.span.startMs < best.span.startMs)) best = n;
      return best;
    };
    if (this.entrySet.size === 0) return earliest(trace.tops, (n) => n.span.parentSpanId === '') ?? earliest(trace.tops, () => true);
    let level: SpanNode[] = trace.tops;
    for (let depth = 0; level.length > 0 && depth < MAX_DEPTH; depth++) {
      const found = earliest(level, (n) => this.entrySet.has(n.span.service));
      if (found) return found;
      level = level.flatMap((n) => n.children);
    }
    return null;
  }

  private intern(service: string, operation: string): string {
    let byOperation = this.keysByService.get(service);
    if (!byOperation) this.keysByService.set(service, (byOperation = new Map()));
    let key = byOperation.get(operation);
    if (key === undefined) {
      const blame = { service, operation };
      key = keyOf(blame);
      byOperation.set(operation, key);
      this.blames.set(key, blame);
    }
    return key;
  }

  private missingCallee(span: SpanRecord): Blame {
    const hint = calleeHint(span);
    let service = hint !== null ? this.addressToService.get(hint) : undefined;
    if (service === undefined) {
      const address = calleeAddress(span);
      service = (address !== null ? this.addressToService.get(address) : undefined) ?? hint ?? 'unknown_service';
    }
    return { service, operation: span.name };
  }

  /** Whom a span's time or failure belongs to: a caller-side span's to its callee, which may never have answered. */
  private blameKeyOf(node: SpanNode): string {
    if (node.blameKey !== undefined) return node.blameKey;
    let key: string;
    if (!node.caller) key = this.intern(node.span.service, operationOf(node));
    else {
      const callee = calleeChild(node);
      if (callee) key = this.intern(callee.span.service, operationOf(callee));
      else {
        const missing = this.missingCallee(node.span);
        key = this.intern(missing.service, missing.operation);
      }
    }
    node.blameKey = key;
    return key;
  }

  private shareOf(node: SpanNode, weight: number): Share {
    const share: Share = { blame: this.blame(this.blameKeyOf(node)), weight, from: node };
    if (node.caller && calleeChild(node) === null) share.message = failureMessage(node.span);
    return share;
  }

  /**
   * Where the time of a slow subtree went, in ms per blamed key: each span's
   * self-time beyond its baseline median, and the whole time of work that
   * failed and was retried or absorbed (blamed on where that failure started),
   * including the backoff before the retry.
   */
  private latencyShares(root: SpanNode, nesting: number): Share[] {
    const byKey = new Map<string, Share>();
    const add = (blame: Blame, ms: number, from: SpanNode, message?: string) => {
      if (!(ms > 0)) return;
      const key = keyOf(blame);
      const share = byKey.get(key);
      if (!share) {
        const created: Share = { blame, weight: ms, from, ms };
        if (message !== undefined) created.message = message;
        byKey.set(key, created);
      } else {
        share.weight += ms;
        share.ms = share.weight;
        if (share.message === undefined && message !== undefined) share.message = message;
      }
    };
    const wasted = (failed: SpanNode, ms: number) => {
      for (const share of this.errorShares(failed, nesting + 1)) add(share.blame, ms * share.weight, share.from, share.message);
    };

    const stack = [root];
    for (let visited = 0; stack.length > 0 && visited < 100_000; visited++) {
      const node = stack.pop()!;
      if (node !== root && node.error && nesting < MAX_NESTING) {
        wasted(node, Math.max(0, node.span.durationMs));
        continue;
      }
      let self = selfOf(node);
      if (node.children.length > 1 && nesting < MAX_NESTING) self -= retryBackoff(node, self, wasted);
      const key = this.blameKeyOf(node);
      const excess = self - ((node.caller ? this.baselineCallSelfMs : this.baselineSelfMs).get(key) ?? 0);
      if (excess > 0) {
        const share = this.shareOf(node, 0);
        add(share.blame, excess, node, share.message);
      }
      for (const c of node.children) stack.push(c);
    }

    const shares = [...byKey.values()];
    const total = shares.reduce((sum, s) => sum + s.weight, 0);
    if (total <= 0) return [{ ...this.shareOf(root, 1), ms: 0 }];
    for (const s of shares) s.weight /= total;
    return shares;
  }

  /**
   * Follows the chain of failed spans down from `top`; where it ends (a
   * failed span none of whose children's failures it passed on) the failure
   * started. A failed call whose callee answered fine was given up on
   * (timeout, rejection): it started in whatever made the callee slow.
   */
  private errorShares(top: SpanNode, nesting: number): Share[] {
    const groups = new Map<string, Share[]>();
    const stack = [top];
    for (let visited = 0; stack.length > 0 && visited < 100_000; visited++) {
      const node = stack.pop()!;
      const failed = propagatedFailures(node.children);
      if (failed.length > 0) {
        for (const f of failed) stack.push(f);
        continue;
      }
      const callee = node.caller ? calleeChild(node) : null;
      const origin = callee && nesting < MAX_NESTING ? this.latencyShares(callee, nesting + 1) : [this.shareOf(node, 1)];
      // Retries of one failing call are one origin, not many.
      const groupKey = origin.length === 1 ? keyOf(origin[0]!.blame) : `${this.blameKeyOf(node)}${SEP}slow`;
      const group = groups.get(groupKey);
      if (group) group.push(...origin);
      else groups.set(groupKey, [...origin]);
    }
    const shares: Share[] = [];
    for (const group of groups.values()) {
      const total = group.reduce((sum, s) => sum + s.weight, 0);
      for (const s of group) shares.push({ ...s, weight: total > 0 ? s.weight / total / groups.size : 0 });
    }
    return shares;
  }

  private record(result: Attribution, entry: SpanNode, shares: Share[], kind: 'error' | 'latency'): void {
    const perKey = new Map<string, Share[]>();
    for (const share of shares) {
      if (!(share.weight > 0)) continue;
      const key = keyOf(share.blame);
      const list = perKey.get(key);
      if (list) list.push(share);
      else perKey.set(key, [share]);
    }
    for (const [key, list] of perKey) {
      let tally = result.tallies.get(key);
      if (!tally) {
        tally = {
          blame: list[0]!.blame,
          errorWeight: 0,
          latencyWeight: 0,
          failingRequests: 0,
          slowRequests: 0,
          paths: new Map(),
          messages: new Map(),
          addedMs: [],
        };
        result.tallies.set(key, tally);
      }
      const weight = list.reduce((sum, s) => sum + s.weight, 0);
      if (kind === 'error') {
        tally.errorWeight += weight;
        tally.failingRequests++;
      } else {
        tally.latencyWeight += weight;
        tally.slowRequests++;
        tally.addedMs.push(list.reduce((sum, s) => sum + (s.ms ?? 0), 0));
      }
      const top = list.reduce((a, b) => (b.weight > a.weight ? b : a));
      const path = pathFrom(top.blame, top.from, entry);
      const pathKey = path.join(SEP);
      const p = tally.paths.get(pathKey);
      if (p) p.weight += weight;
      else tally.paths.set(pathKey, { path, weight });
      for (const s of list) if (s.message) tally.messages.set(s.message, (tally.messages.get(s.message) ?? 0) + 1);
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The callee's own span under a caller-side span (the longest, if a retry produced several). */
function calleeChild(node: SpanNode): SpanNode | null {
  let best: SpanNode | null = null;
  for (const c of node.children) {
    if (c.caller) continue;
    if (best === null || c.span.durationMs > best.span.durationMs) best = c;
  }
  return best;
}

/** The endpoint of the service the span ran in: its nearest server-side ancestor in the same service. */
function operationOf(node: SpanNode): string {
  let cur: SpanNode | null = node;
  for (let depth = 0; cur && cur.span.service === node.span.service && depth < MAX_DEPTH; depth++) {
    if (!cur.caller && isServerSide(cur.span)) return cur.span.name;
    cur = cur.parent;
  }
  return node.span.name;
}

function pathFrom(blame: Blame, from: SpanNode, entry: SpanNode): string[] {
  const path = [blame.service];
  let cur: SpanNode | null = from;
  for (let depth = 0; cur && depth < MAX_DEPTH; depth++) {
    if (path[path.length - 1] !== cur.span.service) path.push(cur.span.service);
    if (cur === entry) break;
    cur = cur.parent;
  }
  return path;
}

/**
 * The wait between a failed attempt and its retry (attempts under one call
 * span, or sibling call spans as plain OTel instrumentation records resends)
 * is the failure's doing, not the caller's work: hands it to `wasted` and
 * returns how much of `selfMs` it was.
 */
function retryBackoff(parent: SpanNode, selfMs: number, wasted: (failed: SpanNode, ms: number) => void): number {
  // Under a call span every child is an attempt at the same callee; under a server span, sibling calls with the same callee are.
  const underCall = parent.caller;
  const calls = underCall ? [...parent.children] : parent.children.filter((c) => c.caller);
  if (calls.length < 2) return 0;
  const targetOf = (c: SpanNode) => (underCall ? '' : (calleeHint(c.span) ?? c.span.name));
  calls.sort((a, b) => a.span.startMs - b.span.startMs);
  let taken = 0;
  for (let i = 0; i + 1 < calls.length && taken < selfMs; i++) {
    const failed = calls[i]!;
    if (!failed.error) continue;
    const target = targetOf(failed);
    const retry = calls.slice(i + 1).find((c) => targetOf(c) === target);
    if (!retry) continue;
    const gap = Math.min(selfMs - taken, retry.span.startMs - endOf(failed.span));
    if (gap > 0) {
      wasted(failed, gap);
      taken += gap;
    }
  }
  return taken;
}

function pct(x: number): string {
  const v = x * 100;
  return `${v >= 10 || v === 0 ? v.toFixed(0) : v.toFixed(1)}%`;
}

function ms(x: number): string {
  return x >= 100 ? `${Math.round(x)} ms` : `${Math.round(x * 10) / 10} ms`;
}

function heaviest<T>(values: Iterable<T>, weightOf: (t: T) => number): T | undefined {
  let best: T | undefined;
  let bestWeight = -Infinity;
  for (const t of values) {
    const w = weightOf(t);
    if (w > bestWeight) {
      best = t;
      bestWeight = w;
    }
  }
  return best;
}

function explain(tally: Tally, incident: Attribution, baseRate: number | null, virtual: boolean, baselineSelf: number | undefined): string {
  const where = `${tally.blame.service} "${tally.blame.operation}"`;
  const against = baseRate === null ? 'with no baseline to compare' : `against ${pct(baseRate)} of requests in the baseline`;
  const parts: string[] = [];
  if (tally.failingRequests > 0) {
    const share = `${pct(tally.errorWeight / Math.max(1, incident.failing))} of the failures`;
    if (virtual) {
      const message = heaviest(tally.messages.entries(), ([, n]) => n)?.[0];
      const said = message !== undefined ? `"${message}"` : 'no answer';
      parts.push(
        `calls to ${tally.blame.service} (${tally.blame.operation}) failed with ${said} and it reported no spans, ` +
          `starting ${tally.failingRequests} of ${incident.failing} failing requests (${share})`,
      );
    } else {
      parts.push(`errors started in ${where} in ${tally.failingRequests} of ${incident.failing} failing requests (${share})`);
    }
  }
  if (tally.slowRequests > 0) {
    const base = baselineSelf !== undefined ? `its normal self-time is ${ms(baselineSelf)} per call` : 'no baseline self-time';
    parts.push(
      `time spent in or waiting on failures of ${where} added a median ${ms(median(tally.addedMs))} to ${tally.slowRequests} of ` +
        `${incident.slow} slow requests (${pct(tally.latencyWeight / Math.max(1, incident.slow))} of the slowness; ${base})`,
    );
  }
  const sentence = parts.join(', and ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}, ${against}.`;
}

/**
 * Ranks where the incident's failures and slowness started, best first.
 *
 * Each failing request at an entry point is followed down its chain of failed
 * spans to where the failure started (split evenly between independent
 * origins; retries of one call are one origin); each slow request is split by
 * the time each (service, operation) added beyond its baseline self-time.
 * The score is the share of bad requests a key explains, minus the share it
 * already explained in the baseline. Pure: never mutates its input.
 */
export function rankRootCauses(input: RootCauseInput, options: RootCauseOptions = {}): RootCause[] {
  const resolved: Required<RootCauseOptions> = {
    slowAbsoluteMs: options.slowAbsoluteMs ?? 1000,
    minBaselineRequests: Math.max(1, options.minBaselineRequests ?? 5),
    maxResults: Math.max(0, options.maxResults ?? 20),
  };
  const analyzer = new Analyzer(input.entryServices, resolved);
  const baselineTraces = indexTraces(input.baselineSpans);
  const incidentTraces = indexTraces(input.spans);
  analyzer.learnAddresses(baselineTraces, false);
  analyzer.learnAddresses(incidentTraces, true);
  analyzer.learnBaseline(baselineTraces);

  const baseline = analyzer.attribute(baselineTraces);
  const incident = analyzer.attribute(incidentTraces);
  const impacted = incident.failing + incident.slow;
  if (impacted === 0) return [];

  const causes: RootCause[] = [];
  for (const [key, tally] of incident.tallies) {
    const base = baseline.tallies.get(key);
    const baseRate = baseline.requests > 0 ? ((base?.errorWeight ?? 0) + (base?.latencyWeight ?? 0)) / baseline.requests : null;
    const explained = tally.errorWeight + tally.latencyWeight - (baseRate ?? 0) * incident.requests;
    const score = Math.round(Math.min(1, Math.max(0, explained / impacted)) * 1000) / 1000;
    if (!(score > 0)) continue;
    const virtual = analyzer.isVirtual(tally.blame.service);
    causes.push({
      service: tally.blame.service,
      operation: tally.blame.operation,
      score,
      reason: explain(tally, incident, baseRate, virtual, analyzer.baselineSelf(key)),
      path: heaviest(tally.paths.values(), (p) => p.weight)?.path ?? [tally.blame.service],
      virtual,
      failingRequests: tally.failingRequests,
      slowRequests: tally.slowRequests,
    });
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  causes.sort(
    (a, b) =>
      b.score - a.score ||
      b.failingRequests + b.slowRequests - (a.failingRequests + a.slowRequests) ||
      byName(a.service, b.service) ||
      byName(a.operation, b.operation),
  );
  return causes.slice(0, resolved.maxResults);
}
