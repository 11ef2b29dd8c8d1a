// Root-cause ranking of a cascading failure: for every failing or slow request
// at an entry point, find where the failure *started* (not where it passed
// through), then score each (service, operation) by the share of the
// incident's bad requests it explains beyond what it explained before.
import type { SpanRecord } from '../model.js';
import { calleeHint, isServerSide } from './spanContribution.js';
import { calleeAddress, isCallerKind, isErrorSpan } from './semconv.js';
import { indexTraces, selfTimeMs, type Trace } from './traceIndex.js';

export interface RootCauseInput {
  /** Spans of the incident window (whole traces, possibly a bounded sample). */
  spans: readonly SpanRecord[];
  /** Spans from before the incident: what normal looked like. May be empty. */
  baselineSpans: readonly SpanRecord[];
  /** Entry-point services whose users saw the failure; empty means every root span. */
  entryServices: readonly string[];
}

export interface RootCauseOptions {
  /** Entry duration that counts as slow when the baseline has too few requests of that operation. Default 1000 ms. */
  slowAbsoluteMs?: number;
  /** Fewest baseline requests of an entry operation to derive its slow threshold. Default 5. */
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
  /** The cause never reported spans of its own (down, unreachable or not instrumented). */
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
  /** The span to trace the propagation path from. */
  from: SpanRecord;
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
const keyOf = (b: Blame) => b.service + SEP + b.operation;
/** A callee's own work and its callers' wait on the wire have different normal self-times. */
const selfKey = (b: Blame, span: SpanRecord) => keyOf(b) + (isCallerKind(span) ? `${SEP}call` : '');

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Everything that does not change between the baseline pass and the incident pass. */
class Analyzer {
  /** callee network address or hint → the service seen answering there. */
  private readonly addressToService = new Map<string, string>();
  private readonly reportingServices = new Set<string>();
  private readonly entrySet: ReadonlySet<string>;
  private baselineSelfMs = new Map<string, number>();
  private slowThresholdMs = new Map<string, number>();

  constructor(
    entryServices: readonly string[],
    private readonly options: Required<RootCauseOptions>,
  ) {
    this.entrySet = new Set(entryServices);
  }

  learnAddresses(traces: Map<string, Trace>, reporting: boolean): void {
    for (const trace of traces.values()) {
      for (const span of trace.byId.values()) {
        if (reporting) this.reportingServices.add(span.service);
        if (!isCallerKind(span)) continue;
        const callee = this.calleeChild(trace, span);
        if (!callee || callee.service === span.service) continue;
        const address = calleeAddress(span);
        if (address !== null && !this.addressToService.has(address)) this.addressToService.set(address, callee.service);
        const hint = calleeHint(span);
        if (hint !== null && !this.addressToService.has(hint)) this.addressToService.set(hint, callee.service);
      }
    }
  }

  learnBaseline(traces: Map<string, Trace>): void {
    const selfPerSpan = new Map<string, number[]>();
    const entryDurations = new Map<string, number[]>();
    for (const trace of traces.values()) {
      const entry = this.entryOf(trace);
      if (!entry) continue;
      const opKey = entry.service + SEP + entry.name;
      let list = entryDurations.get(opKey);
      if (!list) entryDurations.set(opKey, (list = []));
      list.push(entry.durationMs);
      for (const span of trace.byId.values()) {
        const key = selfKey(this.blameOf(trace, span).blame, span);
        let samples = selfPerSpan.get(key);
        if (!samples) selfPerSpan.set(key, (samples = []));
        samples.push(selfTimeMs(span, trace.children.get(span.spanId)));
      }
    }
    this.baselineSelfMs = new Map([...selfPerSpan].map(([key, samples]) => [key, median(samples)]));
    this.slowThresholdMs = new Map();
    for (const [opKey, durations] of entryDurations) {
      if (durations.length < this.options.minBaselineRequests) continue;
      durations.sort((a, b) => a - b);
      const p95 = quantile(durations, 0.95);
      this.slowThresholdMs.set(opKey, Math.max(p95 * 1.5, p95 + 50));
    }
  }

  baselineSelf(key: string): number | undefined {
    return this.baselineSelfMs.get(key) ?? this.baselineSelfMs.get(`${key}${SEP}call`);
  }

  attribute(traces: Map<string, Trace>): Attribution {
    const result: Attribution = { requests: 0, failing: 0, slow: 0, tallies: new Map() };
    const windowThresholds = this.windowSlowThresholds(traces);
    for (const trace of traces.values()) {
      const entry = this.entryOf(trace);
      if (!entry) continue;
      result.requests++;
      if (isErrorSpan(entry)) {
        result.failing++;
        this.record(result, trace, entry, this.errorShares(trace, entry), 'error');
        continue;
      }
      const threshold = this.slowThresholdMs.get(entry.service + SEP + entry.name) ?? windowThresholds.get(entry.service + SEP + entry.name) ?? this.options.slowAbsoluteMs;
      if (entry.durationMs > threshold) {
        result.slow++;
        this.record(result, trace, entry, this.latencyShares(trace, entry), 'latency');
      }
    }
    return result;
  }

  /**
   * Without a baseline for an entry operation, a request is slow beyond the
   * absolute threshold, or beyond 3× the window's own median: the
   * slowest requests of the window still show where time went.
   */
  private windowSlowThresholds(traces: Map<string, Trace>): Map<string, number> {
    const durations = new Map<string, number[]>();
    for (const trace of traces.values()) {
      const entry = this.entryOf(trace);
      if (!entry || isErrorSpan(entry)) continue;
      const opKey = entry.service + SEP + entry.name;
      if (this.slowThresholdMs.has(opKey)) continue;
      let list = durations.get(opKey);
      if (!list) durations.set(opKey, (list = []));
      list.push(entry.durationMs);
    }
    const thresholds = new Map<string, number>();
    for (const [opKey, list] of durations) {
      if (list.length < this.options.minBaselineRequests) continue;
      const mid = median(list);
      thresholds.set(opKey, Math.min(this.options.slowAbsoluteMs, Math.max(mid * 3, mid + 50)));
    }
    return thresholds;
  }

  /** The request as its entry service saw it: the topmost span of an entry service. */
  private entryOf(trace: Trace): SpanRecord | null {
    if (this.entrySet.size === 0) {
      const roots = trace.tops.filter((s) => s.parentSpanId === '');
      const candidates = roots.length > 0 ? roots : trace.tops;
      return candidates.reduce<SpanRecord | null>((best, s) => (best === null || s.startMs < best.startMs ? s : best), null);
    }
    let level: SpanRecord[] = trace.tops;
    while (level.length > 0) {
      let best: SpanRecord | null = null;
      for (const s of level) if (this.entrySet.has(s.service) && (best === null || s.startMs < best.startMs)) best = s;
      if (best) return best;
      const next: SpanRecord[] = [];
      for (const s of level) next.push(...(trace.children.get(s.spanId) ?? []));
      level = next;
    }
    return null;
  }

  /** The callee's own span under a caller-side span (the longest, if a retry produced several). */
  private calleeChild(trace: Trace, span: SpanRecord): SpanRecord | null {
    let best: SpanRecord | null = null;
    for (const c of trace.children.get(span.spanId) ?? []) {
      if (isCallerKind(c)) continue;
      if (best === null || c.durationMs > best.durationMs) best = c;
    }
    return best;
  }

  /** The endpoint of the service the span ran in: its nearest server-side ancestor in the same service. */
  private operationOf(trace: Trace, span: SpanRecord): string {
    let cur: SpanRecord | undefined = span;
    for (let depth = 0; cur && cur.service === span.service && depth < 256; depth++) {
      if (isServerSide(cur) && !isCallerKind(cur)) return cur.name;
      cur = trace.byId.get(cur.parentSpanId);
    }
    return span.name;
  }

  private missingCallee(span: SpanRecord): Blame {
    const address = calleeAddress(span);
    const hint = calleeHint(span);
    const service =
      (address !== null ? this.addressToService.get(address) : undefined) ??
      (hint !== null ? this.addressToService.get(hint) : undefined) ??
      hint ??
      'unknown_service';
    return { service, operation: span.name };
  }

  /** Whom a span's time or failure belongs to: a caller-side span's to its callee. */
  private blameOf(trace: Trace, span: SpanRecord): { blame: Blame; virtualCallee: boolean } {
    if (!isCallerKind(span)) return { blame: { service: span.service, operation: this.operationOf(trace, span) }, virtualCallee: false };
    const callee = this.calleeChild(trace, span);
    if (callee) return { blame: { service: callee.service, operation: this.operationOf(trace, callee) }, virtualCallee: false };
    // An attempt child carries the call; the logical span's own time (backoff) belongs to the same callee.
    return { blame: this.missingCallee(span), virtualCallee: true };
  }

  /**
   * Where the time of a slow subtree went, in ms per blamed key: each span's
   * self-time beyond its baseline median, and the whole time of work that
   * failed and was retried or absorbed (blamed on where that failure started),
   * including the backoff before the retry.
   */
  private latencyShares(trace: Trace, root: SpanRecord, depth = 0): Share[] {
    const byKey = new Map<string, Share>();
    const add = (blame: Blame, ms: number, from: SpanRecord, message?: string) => {
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
    const wasted = (failed: SpanRecord, ms: number) => {
      for (const share of this.errorShares(trace, failed, depth + 1)) add(share.blame, ms * share.weight, share.from, share.message);
    };

    const stack = [root];
    let visited = 0;
    while (stack.length > 0 && visited++ < 100_000) {
      const span = stack.pop()!;
      if (span !== root && isErrorSpan(span) && depth < 8) {
        wasted(span, span.durationMs);
        continue;
      }
      const children = trace.children.get(span.spanId);
      let self = selfTimeMs(span, children);
      if (children && depth < 8) self -= this.retryBackoff(span, children, self, wasted);
      const { blame, virtualCallee } = this.blameOf(trace, span);
      const excess = self - (this.baselineSelfMs.get(selfKey(blame, span)) ?? 0);
      add(blame, excess, span, virtualCallee ? failureMessage(span) : undefined);
      if (children) for (const c of children) stack.push(c);
    }

    const shares = [...byKey.values()];
    const total = shares.reduce((sum, s) => sum + s.weight, 0);
    if (total <= 0) return [{ ...this.blameAsShare(trace, root), weight: 1, ms: 0 }];
    for (const s of shares) s.weight /= total;
    return shares;
  }

  /**
   * The wait between a failed attempt and its retry (attempts under one call
   * span, or sibling call spans as plain OTel instrumentation records resends) is the failure's doing, not the
   * caller's work: hands it to `wasted` and returns how much of `selfMs` it was.
   */
  private retryBackoff(
    parent: SpanRecord,
    children: readonly SpanRecord[],
    selfMs: number,
    wasted: (failed: SpanRecord, ms: number) => void,
  ): number {
    // Under a call span every child is an attempt at the same callee; under a server span, sibling calls with the same callee are.
    const underCall = isCallerKind(parent);
    const calls = underCall ? [...children] : children.filter(isCallerKind);
    if (calls.length < 2) return 0;
    const targetOf = (c: SpanRecord) => (underCall ? '' : (calleeHint(c) ?? c.name));
    calls.sort((a, b) => a.startMs - b.startMs);
    let taken = 0;
    for (let i = 0; i + 1 < calls.length && taken < selfMs; i++) {
      const failed = calls[i]!;
      if (!isErrorSpan(failed)) continue;
      const target = targetOf(failed);
      const retry = calls.slice(i + 1).find((c) => targetOf(c) === target);
      if (!retry) continue;
      const gap = Math.min(selfMs - taken, retry.startMs - (failed.startMs + failed.durationMs));
      if (gap > 0) {
        wasted(failed, gap);
        taken += gap;
      }
    }
    return taken;
  }

  private blameAsShare(trace: Trace, span: SpanRecord): Share {
    const { blame, virtualCallee } = this.blameOf(trace, span);
    const share: Share = { blame, weight: 1, from: span };
    if (virtualCallee) share.message = failureMessage(span);
    return share;
  }

  /**
   * Follows the chain of failed spans down from the entry; where it ends (a
   * failed span none of whose children failed) the failure started. A failed
   * call whose callee answered fine was given up on (timeout, rejection): it
   * started in whatever made the callee slow.
   */
  private errorShares(trace: Trace, entry: SpanRecord, depth = 0): Share[] {
    const groups = new Map<string, Share[]>();
    const stack = [entry];
    let visited = 0;
    while (stack.length > 0 && visited++ < 100_000) {
      const span = stack.pop()!;
      const failedChildren = propagatedFailures(trace.children.get(span.spanId));
      if (failedChildren.length > 0) {
        stack.push(...failedChildren);
        continue;
      }
      let origin: Share[];
      if (isCallerKind(span)) {
        const callee = this.calleeChild(trace, span);
        origin = callee ? this.latencyShares(trace, callee, depth + 1) : [this.blameAsShare(trace, span)];
      } else {
        origin = [this.blameAsShare(trace, span)];
      }
      // Retries of one failing call are one origin, not many.
      const groupKey = origin.length === 1 ? keyOf(origin[0]!.blame) : `${span.service}${SEP}${span.name}${SEP}slow`;
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

  private pathFrom(trace: Trace, blame: Blame, from: SpanRecord, entry: SpanRecord): string[] {
    const path = [blame.service];
    let cur: SpanRecord | undefined = from;
    for (let depth = 0; cur && depth < 256; depth++) {
      if (path[path.length - 1] !== cur.service) path.push(cur.service);
      if (cur === entry) break;
      cur = trace.byId.get(cur.parentSpanId);
    }
    return path;
  }

  private record(result: Attribution, trace: Trace, entry: SpanRecord, shares: Share[], kind: 'error' | 'latency'): void {
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
      const path = this.pathFrom(trace, top.blame, top.from, entry);
      const pathKey = path.join(SEP);
      const p = tally.paths.get(pathKey);
      if (p) p.weight += weight;
      else tally.paths.set(pathKey, { path, weight });
      for (const s of list) if (s.message) tally.messages.set(s.message, (tally.messages.get(s.message) ?? 0) + 1);
    }
  }

  isVirtual(service: string): boolean {
    return !this.reportingServices.has(service);
  }
}

/**
 * The failed children whose failure the parent passed on: a failure after
 * which the parent went on to start other work (a fallback, or the next
 * attempt of a retry) was absorbed there. If every failure looks absorbed,
 * the last one to end is kept.
 */
function propagatedFailures(children: readonly SpanRecord[] | undefined): SpanRecord[] {
  if (!children || children.length === 0) return [];
  const failed = children.filter(isErrorSpan);
  if (failed.length === 0) return failed;
  let lastStartMs = -Infinity;
  for (const c of children) if (c.startMs > lastStartMs) lastStartMs = c.startMs;
  const propagated = failed.filter((f) => !(lastStartMs >= f.startMs + Math.max(0, f.durationMs)));
  if (propagated.length > 0) return propagated;
  return [failed.reduce((a, b) => (b.startMs + b.durationMs > a.startMs + a.durationMs ? b : a))];
}

function failureMessage(span: SpanRecord): string {
  const errorType = span.attributes['error.type'];
  const raw = span.statusMessage || (typeof errorType === 'string' ? errorType : '') || 'no response';
  return raw.length > 80 ? `${raw.slice(0, 77)}...` : raw;
}

function pct(x: number): string {
  const v = x * 100;
  return `${v >= 10 || v === 0 ? v.toFixed(0) : v.toFixed(1)}%`;
}

function ms(x: number): string {
  return x >= 100 ? `${Math.round(x)} ms` : `${Math.round(x * 10) / 10} ms`;
}

function mostCommon<T>(entries: Iterable<[string, T]>, weightOf: (t: T) => number): T | undefined {
  let best: T | undefined;
  let bestWeight = -Infinity;
  for (const [, t] of entries) {
    const w = weightOf(t);
    if (w > bestWeight) {
      best = t;
      bestWeight = w;
    }
  }
  return best;
}

function explain(
  tally: Tally,
  incident: Attribution,
  baseline: Attribution,
  virtual: boolean,
  baselineSelf: number | undefined,
): string {
  const where = `${tally.blame.service} "${tally.blame.operation}"`;
  const baseTally = baseline.tallies.get(keyOf(tally.blame));
  const baseRate =
    baseline.requests > 0 ? ((baseTally?.errorWeight ?? 0) + (baseTally?.latencyWeight ?? 0)) / baseline.requests : null;
  const against = baseRate === null ? 'with no baseline to compare' : `against ${pct(baseRate)} of requests in the baseline`;
  const parts: string[] = [];
  if (tally.failingRequests > 0) {
    if (virtual) {
      let said = 'no answer';
      let seen = 0;
      for (const [message, count] of tally.messages) {
        if (count > seen) {
          said = `"${message}"`;
          seen = count;
        }
      }
      parts.push(
        `calls to ${tally.blame.service} (${tally.blame.operation}) failed with ${said} and it reported no spans, ` +
          `starting ${tally.failingRequests} of ${incident.failing} failing requests (${pct(tally.errorWeight / Math.max(1, incident.failing))} of the failures)`,
      );
    } else {
      parts.push(
        `errors started in ${where} in ${tally.failingRequests} of ${incident.failing} failing requests ` +
          `(${pct(tally.errorWeight / Math.max(1, incident.failing))} of the failures)`,
      );
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
 * Pure: reads the spans, never mutates them.
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
    const baseRate = baseline.requests > 0 ? ((base?.errorWeight ?? 0) + (base?.latencyWeight ?? 0)) / baseline.requests : 0;
    const explained = tally.errorWeight + tally.latencyWeight - baseRate * incident.requests;
    const score = Math.round(Math.min(1, Math.max(0, explained / impacted)) * 1000) / 1000;
    if (!(score > 0)) continue;
    const virtual = analyzer.isVirtual(tally.blame.service);
    const path = mostCommon(tally.paths.entries(), (p) => p.weight)?.path ?? [tally.blame.service];
    causes.push({
      service: tally.blame.service,
      operation: tally.blame.operation,
      score,
      reason: explain(tally, incident, baseline, virtual, analyzer.baselineSelf(key)),
      path,
      virtual,
      failingRequests: tally.failingRequests,
      slowRequests: tally.slowRequests,
    });
  }
  causes.sort(
    (a, b) =>
      b.score - a.score ||
      b.failingRequests + b.slowRequests - (a.failingRequests + a.slowRequests) ||
      (a.service < b.service ? -1 : a.service > b.service ? 1 : a.operation < b.operation ? -1 : a.operation > b.operation ? 1 : 0),
  );
  return causes.slice(0, resolved.maxResults);
}
