// Root-cause ranking of a cascading failure: for every failing or slow request
// at an entry point, find where the failure *started* (not where it passed
// through), then score each (service, operation) by the share of the
// incident's bad requests it explains beyond what it explained before.
import type { SpanRecord } from '../model.js';
import { calleeHint, isServerSide } from './spanContribution.js';
import { calleeAddress } from './semconv.js';
import { childrenOf, failed, indexTraces, selfTimeMs, type TraceIndex, type TraceRange } from './traceIndex.js';
import { graftLinkedTraces, isBackgroundRoot } from './linkedWork.js';
import { carriesFailure, effectiveChildren, requestFailed } from './failures.js';
import { latencyShifts, type LatencySample, type ServiceShift } from './latencyShift.js';

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
  /** Baseline traces analysed at most (evenly sampled); plenty for its medians and p95s. Default 1,000. */
  baselineTracesMax?: number;
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
  /** Up to five traces that show it. */
  traceIds: string[];
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
  /** The span (index number) to trace the propagation path from. */
  from: number;
  /** What the caller saw, for a callee that never answered. */
  message?: string;
  /** Time (ms) of the request this key accounts for, in latency shares. */
  ms?: number;
  /** The caller gave up on this (slow) callee: a timeout or rejection, not an error of its own. */
  gaveUp?: { message: string };
}

interface Tally {
  blame: Blame;
  errorWeight: number;
  latencyWeight: number;
  failingRequests: number;
  /** Failing requests in which callers gave up on this key rather than seeing it fail. */
  gaveUpRequests: number;
  slowRequests: number;
  paths: Map<string, { path: string[]; weight: number }>;
  messages: Map<string, number>;
  gaveUpMessages: Map<string, number>;
  /** Time (ms) beyond its baseline the key took in each request its callers gave up on. */
  gaveUpAddedMs: number[];
  /** Time (ms) this key added to each slow request it was blamed in. */
  addedMs: number[];
  /** Example traces, first seen first. */
  traceIds: string[];
}

interface Attribution {
  requests: number;
  failing: number;
  slow: number;
  tallies: Map<string, Tally>;
}

const SEP = '\u0000';
/** Example traces each cause carries. */
const EVIDENCE_TRACES_MAX = 5;
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

/** One index with the per-span caches of this analysis. */
class Pass {
  readonly selfMs: Float64Array;
  readonly blameKeys: (string | undefined)[];
  readonly entries: (number | undefined)[];

  constructor(readonly ix: TraceIndex) {
    this.selfMs = new Float64Array(ix.spans.length).fill(Number.NaN);
    this.blameKeys = new Array<string | undefined>(ix.spans.length);
    this.entries = new Array<number | undefined>(ix.traces.length);
  }

  self(i: number): number {
    let v = this.selfMs[i]!;
    if (Number.isNaN(v)) this.selfMs[i] = v = selfTimeMs(this.ix, i);
    return v;
  }
}

const endOf = (s: SpanRecord) => s.startMs + Math.max(0, s.durationMs);

/**
 * The failed children whose failure the parent passed on: a failure after
 * which the parent went on to start other work (a fallback, or the next
 * attempt of a retry) was absorbed there. If every failure looks absorbed,
 * the last one to end is kept.
 */
function propagatedFailures(ix: TraceIndex, i: number, out: number[]): void {
  const children: number[] = [];
  effectiveChildren(ix, i, children);
  let failedCount = 0;
  let lastStartMs = -Infinity;
  for (const c of children) {
    if (carriesFailure(ix, c)) failedCount++;
    const start = ix.spans[c]!.startMs;
    if (start > lastStartMs) lastStartMs = start;
  }
  if (failedCount === 0) return;
  const before = out.length;
  let lastFailed = -1;
  for (const c of children) {
    if (!carriesFailure(ix, c)) continue;
    const end = endOf(ix.spans[c]!);
    if (!(lastStartMs >= end)) out.push(c);
    if (lastFailed === -1 || end > endOf(ix.spans[lastFailed]!)) lastFailed = c;
  }
  if (out.length === before) out.push(lastFailed);
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
  private baselineSelfMs = new Map<string, number>();
  private baselineCallSelfMs = new Map<string, number>();
  private slowThresholdMs = new Map<string, number>();

  constructor(
    entryServices: readonly string[],
    private readonly options: Required<RootCauseOptions>,
  ) {
    this.entrySet = new Set(entryServices);
  }

  learnAddresses(p: Pass, reporting: boolean): void {
    const ix = p.ix;
    let lastService = '';
    for (let i = 0; i < ix.spans.length; i++) {
      const span = ix.spans[i]!;
      if (reporting && span.service !== lastService) this.reportingServices.add((lastService = span.service));
      if (!ix.caller[i]) continue;
      const callee = calleeChild(ix, i);
      if (callee === -1) continue;
      const calleeService = ix.spans[callee]!.service;
      if (calleeService === span.service) continue;
      const hint = calleeHint(span);
      if (hint !== null) {
        // Spans with a hint already learned most likely share its address too: skip the costlier address.
        if (this.addressToService.has(hint)) continue;
        this.addressToService.set(hint, calleeService);
      }
      const address = calleeAddress(span);
      if (address !== null && !this.addressToService.has(address)) this.addressToService.set(address, calleeService);
    }
  }

  learnBaseline(p: Pass): void {
    // A callee's own work and its callers' wait on the wire have different normal self-times.
    const selfPerSpan = new Map<string, number[]>();
    const selfPerCall = new Map<string, number[]>();
    const entryDurations = new Map<string, number[]>();
    for (let t = 0; t < p.ix.traces.length; t++) {
      const entry = this.entryOf(p, t);
      if (entry === -1) continue;
      const entrySpan = p.ix.spans[entry]!;
      push(entryDurations, entrySpan.service + SEP + entrySpan.name, entrySpan.durationMs);
      const trace = p.ix.traces[t]!;
      for (let i = trace.first; i < trace.first + trace.count; i++) {
        push(p.ix.caller[i] ? selfPerCall : selfPerSpan, this.blameKeyOf(p, i), p.self(i));
      }
    }
    this.baselineSelfMs = new Map();
    for (const [key, samples] of selfPerSpan) this.baselineSelfMs.set(key, median(samples));
    this.baselineCallSelfMs = new Map();
    for (const [key, samples] of selfPerCall) this.baselineCallSelfMs.set(key, median(samples));
    this.slowThresholdMs = this.slowThresholds(entryDurations, 0.95, 'baseline');
  }

  private slowThresholds(durations: Map<string, number[]>, q: number, from: 'baseline' | 'window'): Map<string, number> {
    const out = new Map<string, number>();
    for (const [opKey, list] of durations) {
      if (list.length < this.options.minBaselineRequests) continue;
      list.sort((a, b) => a - b);
      const v = quantile(list, q);
      out.set(opKey, from === 'baseline' ? Math.max(v * 1.5, v + 50) : Math.min(this.options.slowAbsoluteMs, Math.max(v * 3, v + 50)));
    }
    return out;
  }

  baselineSelf(key: string): number | undefined {
    return this.baselineSelfMs.get(key) ?? this.baselineCallSelfMs.get(key);
  }

  isVirtual(service: string): boolean {
    return !this.reportingServices.has(service);
  }

  /** Every span's own time (self) and every call's time between caller and callee (hops), keyed by blame. */
  latencySamples(p: Pass): { self: LatencySample[]; hops: LatencySample[] } {
    const ix = p.ix;
    const self: LatencySample[] = [];
    const hops: LatencySample[] = [];
    for (let t = 0; t < ix.traces.length; t++) {
      if (this.entryOf(p, t) === -1) continue;
      const trace = ix.traces[t]!;
      for (let i = trace.first; i < trace.first + trace.count; i++) {
        const key = this.blameKeyOf(p, i);
        const blame = this.blame(key);
        const span = ix.spans[i]!;
        // Time around failed work (retry backoff, waiting on a failed call) is the failure's: the error walk and slow-request shares account for it.
        if (carriesFailure(ix, i) || hasFailedChild(ix, i)) continue;
        if (ix.caller[i]) {
          if (blame.service !== span.service) hops.push({ key, service: blame.service, caller: span.service, valueMs: p.self(i), span: i, trace: t });
        } else {
          self.push({ key, service: blame.service, valueMs: p.self(i), span: i, trace: t });
        }
      }
    }
    return { self, hops };
  }

  /**
   * Causes from latency shifts: each shifted service scores its share of the
   * window's added time, scaled by the share of requests that did not fail
   * (failures are the error walk's to explain).
   */
  shiftCauses(p: Pass, samples: { self: LatencySample[]; hops: LatencySample[] }, shifts: readonly ServiceShift[], incident: Attribution): RootCause[] {
    let total = 0;
    for (const s of shifts) total += s.addedMsPerRequest;
    if (!(total > 0)) return [];
    const notFailing = incident.requests > 0 ? 1 - incident.failing / incident.requests : 1;
    const out: RootCause[] = [];
    const ix = p.ix;
    for (const shift of shifts.slice(0, SHIFT_CAUSES_MAX)) {
      const top = shift.top;
      const evidence = (top.kind === 'hop' ? samples.hops : samples.self)
        .filter((s) => s.key === top.key && (top.kind === 'self' || s.caller === top.caller))
        .sort((a, b) => b.valueMs - a.valueMs || compareIds(ix.spans[a.span]!.traceId, ix.spans[b.span]!.traceId));
      const best = evidence[0];
      if (!best) continue;
      const entry = this.entryOf(p, best.trace);
      const blamed = this.blame(top.key);
      const operation = shift.viaCaller !== undefined ? operationOf(ix, best.span) : blamed.operation;
      const blame = { service: shift.service, operation };
      const traceIds: string[] = [];
      for (const s of evidence) {
        const id = ix.spans[s.span]!.traceId;
        if (!traceIds.includes(id)) traceIds.push(id);
        if (traceIds.length >= EVIDENCE_TRACES_MAX) break;
      }
      out.push({
        service: shift.service,
        operation,
        score: roundScore((shift.addedMsPerRequest / total) * notFailing),
        reason: shiftReason(shift, blamed, incident.requests),
        path: entry === -1 ? [shift.service] : pathFrom(ix, blame, best.span, entry),
        traceIds,
        virtual: this.isVirtual(shift.service),
        failingRequests: 0,
        slowRequests: evidence.length,
      });
    }
    return out;
  }

  attribute(p: Pass): Attribution {
    const result: Attribution = { requests: 0, failing: 0, slow: 0, tallies: new Map() };
    const windowThresholds = this.windowSlowThresholds(p);
    for (let t = 0; t < p.ix.traces.length; t++) {
      const entry = this.entryOf(p, t);
      if (entry === -1) continue;
      result.requests++;
      if (requestFailed(p.ix, entry)) {
        result.failing++;
        this.record(p, result, entry, this.errorShares(p, entry, 0), 'error');
        continue;
      }
      const span = p.ix.spans[entry]!;
      const opKey = span.service + SEP + span.name;
      const threshold = this.slowThresholdMs.get(opKey) ?? windowThresholds.get(opKey) ?? this.options.slowAbsoluteMs;
      if (span.durationMs > threshold) {
        result.slow++;
        this.record(p, result, entry, this.latencyShares(p, entry, 0), 'latency');
      }
    }
    return result;
  }

  /**
   * Without a baseline for an entry operation, a request is slow beyond the
   * absolute threshold or beyond 3× the window's own median: the slowest
   * requests of the window still show where the time went.
   */
  private windowSlowThresholds(p: Pass): Map<string, number> {
    const durations = new Map<string, number[]>();
    for (let t = 0; t < p.ix.traces.length; t++) {
      const entry = this.entryOf(p, t);
      if (entry === -1 || requestFailed(p.ix, entry)) continue;
      const span = p.ix.spans[entry]!;
      const opKey = span.service + SEP + span.name;
      if (!this.slowThresholdMs.has(opKey)) push(durations, opKey, span.durationMs);
    }
    return this.slowThresholds(durations, 0.5, 'window');
  }

  /** The request as its entry service saw it: the earliest topmost span of an entry service (-1: none). */
  private entryOf(p: Pass, t: number): number {
    let entry = p.entries[t];
    if (entry === undefined) p.entries[t] = entry = this.findEntry(p.ix, p.ix.traces[t]!);
    return entry;
  }

  private findEntry(ix: TraceIndex, trace: TraceRange): number {
    if (this.entrySet.size === 0) {
      let best = -1;
      let bestIsRoot = false;
      for (const i of trace.tops) {
        const isRoot = ix.spans[i]!.parentSpanId === '';
        if (best === -1 || (isRoot && !bestIsRoot) || (isRoot === bestIsRoot && ix.spans[i]!.startMs < ix.spans[best]!.startMs)) {
          best = i;
          bestIsRoot = isRoot;
        }
      }
      // Background work whose request is not in the sample is no request of its own.
      return best !== -1 && isBackgroundRoot(ix.spans[best]!) ? -1 : best;
    }
    let level: number[] = trace.tops;
    for (let depth = 0; level.length > 0 && depth < MAX_DEPTH; depth++) {
      let best = -1;
      for (const i of level) {
        if (this.entrySet.has(ix.spans[i]!.service) && (best === -1 || ix.spans[i]!.startMs < ix.spans[best]!.startMs)) best = i;
      }
      if (best !== -1) return best;
      const next: number[] = [];
      for (const i of level) for (let c = ix.firstChild[i]!; c !== -1; c = ix.nextSibling[c]!) next.push(c);
      level = next;
    }
    return -1;
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

  blame(key: string): Blame {
    return this.blames.get(key)!;
  }

  private missingCallee(span: SpanRecord): string {
    const hint = calleeHint(span);
    let service = hint !== null ? this.addressToService.get(hint) : undefined;
    if (service === undefined) {
      const address = calleeAddress(span);
      service = (address !== null ? this.addressToService.get(address) : undefined) ?? hint ?? 'unknown_service';
    }
    return this.intern(service, span.name);
  }

  /** Whom a span's time or failure belongs to: a caller-side span's to its callee, which may never have answered. */
  private blameKeyOf(p: Pass, i: number): string {
    let key = p.blameKeys[i];
    if (key !== undefined) return key;
    const ix = p.ix;
    if (!ix.caller[i]) key = this.intern(ix.spans[i]!.service, operationOf(ix, i));
    else {
      const callee = calleeChild(ix, i);
      key = callee !== -1 ? this.intern(ix.spans[callee]!.service, operationOf(ix, callee)) : this.missingCallee(ix.spans[i]!);
    }
    p.blameKeys[i] = key;
    return key;
  }

  private shareOf(p: Pass, i: number, weight: number): Share {
    const share: Share = { blame: this.blame(this.blameKeyOf(p, i)), weight, from: i };
    if (p.ix.caller[i] && calleeChild(p.ix, i) === -1) share.message = failureMessage(p.ix.spans[i]!);
    return share;
  }

  /**
   * Where the time of a slow subtree went, in ms per blamed key: each span's
   * self-time beyond its baseline median, and the whole time of work that
   * failed and was retried or absorbed (blamed on where that failure started),
   * including the backoff before the retry.
   */
  private latencyShares(p: Pass, root: number, nesting: number): Share[] {
    const ix = p.ix;
    const byKey = new Map<string, Share>();
    const stack = [root];
    for (let visited = 0; stack.length > 0 && visited < 100_000; visited++) {
      const i = stack.pop()!;
      if (i !== root && failed(ix, i) && nesting < MAX_NESTING) {
        this.addWasted(p, byKey, i, Math.max(0, ix.spans[i]!.durationMs), nesting);
        continue;
      }
      let self = p.self(i);
      if (ix.childCount[i]! > 1 && nesting < MAX_NESTING) self -= this.retryBackoff(p, byKey, i, self, nesting);
      const key = this.blameKeyOf(p, i);
      const excess = self - ((ix.caller[i] ? this.baselineCallSelfMs : this.baselineSelfMs).get(key) ?? 0);
      if (excess > 0) {
        const message = ix.caller[i] && calleeChild(ix, i) === -1 ? failureMessage(ix.spans[i]!) : undefined;
        addShare(byKey, this.blame(key), excess, i, message);
      }
      for (let c = ix.firstChild[i]!; c !== -1; c = ix.nextSibling[c]!) stack.push(c);
    }

    const shares = [...byKey.values()];
    let total = 0;
    for (const share of shares) total += share.weight;
    if (total <= 0) return [{ ...this.shareOf(p, root, 1), ms: 0 }];
    for (const share of shares) share.weight /= total;
    return shares;
  }

  /** Time spent on work that failed is blamed on where that failure started. */
  private addWasted(p: Pass, byKey: Map<string, Share>, failedSpan: number, ms: number, nesting: number): void {
    for (const share of this.errorShares(p, failedSpan, nesting + 1)) addShare(byKey, share.blame, ms * share.weight, share.from, share.message);
  }

  /**
   * The wait between a failed attempt and its retry (attempts under one call
   * span, or sibling call spans as plain OTel instrumentation records resends)
   * is the failure's doing, not the caller's work: blamed like the failed
   * attempt. Returns how much of `selfMs` it was.
   */
  private retryBackoff(p: Pass, byKey: Map<string, Share>, parent: number, selfMs: number, nesting: number): number {
    const ix = p.ix;
    // Under a call span every child is an attempt at the same callee; under a server span, sibling calls with the same callee are.
    const underCall = ix.caller[parent] === 1;
    const calls = underCall ? childrenOf(ix, parent) : childrenOf(ix, parent).filter((c) => ix.caller[c]);
    if (calls.length < 2) return 0;
    let anyFailed = false;
    for (const c of calls) if (failed(ix, c)) anyFailed = true;
    if (!anyFailed) return 0;
    const targets = calls.map((c) => (underCall ? '' : (calleeHint(ix.spans[c]!) ?? ix.spans[c]!.name)));
    const order = calls.map((_, k) => k).sort((a, b) => ix.spans[calls[a]!]!.startMs - ix.spans[calls[b]!]!.startMs);
    let taken = 0;
    for (let k = 0; k + 1 < order.length && taken < selfMs; k++) {
      const attempt = calls[order[k]!]!;
      if (!failed(ix, attempt)) continue;
      const target = targets[order[k]!];
      let retry = -1;
      for (let m = k + 1; m < order.length; m++) {
        if (targets[order[m]!] === target) {
          retry = calls[order[m]!]!;
          break;
        }
      }
      if (retry === -1) continue;
      const gap = Math.min(selfMs - taken, ix.spans[retry]!.startMs - endOf(ix.spans[attempt]!));
      if (gap > 0) {
        this.addWasted(p, byKey, attempt, gap, nesting);
        taken += gap;
      }
    }
    return taken;
  }

  /**
   * Follows the chain of failed spans down from `top`; where it ends (a
   * failed span none of whose children's failures it passed on) the failure
   * started. A failed call whose callee answered fine was given up on
   * (timeout, rejection): it started in whatever made the callee slow.
   */
  private errorShares(p: Pass, top: number, nesting: number): Share[] {
    const ix = p.ix;
    const groups = new Map<string, Share[]>();
    const stack = [top];
    for (let visited = 0; stack.length > 0 && visited < 100_000; visited++) {
      const i = stack.pop()!;
      const before = stack.length;
      propagatedFailures(ix, i, stack);
      if (stack.length > before) continue;
      const callee = ix.caller[i] ? calleeChild(ix, i) : -1;
      let origin: Share[];
      if (callee !== -1 && nesting < MAX_NESTING) {
        const gaveUp = { message: failureMessage(ix.spans[i]!) };
        origin = this.latencyShares(p, callee, nesting + 1).map((share) => ({ ...share, gaveUp: share.gaveUp ?? gaveUp }));
      } else {
        origin = [this.shareOf(p, i, 1)];
      }
      // Retries of one failing call are one origin, not many.
      const groupKey = origin.length === 1 ? keyOf(origin[0]!.blame) : `${this.blameKeyOf(p, i)}${SEP}slow`;
      const group = groups.get(groupKey);
      if (group) group.push(...origin);
      else groups.set(groupKey, origin);
    }
    const shares: Share[] = [];
    for (const group of groups.values()) {
      let total = 0;
      for (const share of group) total += share.weight;
      for (const share of group) shares.push({ ...share, weight: total > 0 ? share.weight / total / groups.size : 0 });
    }
    return shares;
  }

  private record(p: Pass, result: Attribution, entry: number, shares: Share[], kind: 'error' | 'latency'): void {
    const perKey = new Map<string, Share[]>();
    for (const share of shares) {
      if (!(share.weight > 0)) continue;
      push(perKey, keyOf(share.blame), share);
    }
    for (const [key, list] of perKey) {
      let tally = result.tallies.get(key);
      if (!tally) {
        tally = {
          blame: list[0]!.blame,
          errorWeight: 0,
          latencyWeight: 0,
          failingRequests: 0,
          gaveUpRequests: 0,
          slowRequests: 0,
          paths: new Map(),
          messages: new Map(),
          gaveUpMessages: new Map(),
          gaveUpAddedMs: [],
          addedMs: [],
          traceIds: [],
        };
        result.tallies.set(key, tally);
      }
      let weight = 0;
      let addedMs = 0;
      let top = list[0]!;
      let gaveUpWeight = 0;
      for (const share of list) {
        weight += share.weight;
        addedMs += share.ms ?? 0;
        if (share.weight > top.weight) top = share;
        if (share.message) tally.messages.set(share.message, (tally.messages.get(share.message) ?? 0) + 1);
        if (share.gaveUp) {
          gaveUpWeight += share.weight;
          tally.gaveUpMessages.set(share.gaveUp.message, (tally.gaveUpMessages.get(share.gaveUp.message) ?? 0) + 1);
        }
      }
      if (kind === 'error') {
        tally.errorWeight += weight;
        tally.failingRequests++;
        if (gaveUpWeight > weight / 2) {
          tally.gaveUpRequests++;
          tally.gaveUpAddedMs.push(addedMs);
        }
      } else {
        tally.latencyWeight += weight;
        tally.slowRequests++;
        tally.addedMs.push(addedMs);
      }
      addEvidence(tally.traceIds, p.ix.spans[entry]!.traceId);
      const path = pathFrom(p.ix, top.blame, top.from, entry);
      const pathKey = path.join(SEP);
      const known = tally.paths.get(pathKey);
      if (known) known.weight += weight;
      else tally.paths.set(pathKey, { path, weight });
    }
  }
}

function addShare(byKey: Map<string, Share>, blame: Blame, ms: number, from: number, message: string | undefined): void {
  if (!(ms > 0)) return;
  const key = keyOf(blame);
  const share = byKey.get(key);
  if (!share) {
    const created: Share = { blame, weight: ms, from, ms };
    if (message !== undefined) created.message = message;
    byKey.set(key, created);
    return;
  }
  share.weight += ms;
  share.ms = share.weight;
  if (share.message === undefined && message !== undefined) share.message = message;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The callee's own span under a caller-side span (the longest, if a retry produced several); -1 when it never answered. */
function calleeChild(ix: TraceIndex, i: number): number {
  let best = -1;
  for (let c = ix.firstChild[i]!; c !== -1; c = ix.nextSibling[c]!) {
    if (ix.caller[c]) continue;
    if (best === -1 || ix.spans[c]!.durationMs > ix.spans[best]!.durationMs) best = c;
  }
  return best;
}

/** The endpoint of the service the span ran in: its nearest server-side ancestor in the same service. */
function operationOf(ix: TraceIndex, i: number): string {
  const service = ix.spans[i]!.service;
  let cur = i;
  for (let depth = 0; cur !== -1 && ix.spans[cur]!.service === service && depth < MAX_DEPTH; depth++) {
    if (!ix.caller[cur] && isServerSide(ix.spans[cur]!)) return ix.spans[cur]!.name;
    cur = ix.parent[cur]!;
  }
  return ix.spans[i]!.name;
}

function pathFrom(ix: TraceIndex, blame: Blame, from: number, entry: number): string[] {
  const path = [blame.service];
  let cur = from;
  for (let depth = 0; cur !== -1 && depth < MAX_DEPTH; depth++) {
    const service = ix.spans[cur]!.service;
    if (path[path.length - 1] !== service) path.push(service);
    if (cur === entry) break;
    cur = ix.parent[cur]!;
  }
  return path;
}

const SHIFT_CAUSES_MAX = 10;

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Keeps the smallest ids: the same examples whatever order the spans arrived in. */
function addEvidence(ids: string[], id: string): void {
  if (ids.includes(id)) return;
  ids.push(id);
  ids.sort(compareIds);
  if (ids.length > EVIDENCE_TRACES_MAX) ids.length = EVIDENCE_TRACES_MAX;
}

function hasFailedChild(ix: TraceIndex, i: number): boolean {
  for (let c = ix.firstChild[i]!; c !== -1; c = ix.nextSibling[c]!) if (carriesFailure(ix, c)) return true;
  return false;
}

function roundScore(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;
}

function shiftReason(shift: ServiceShift, blamed: Blame, requests: number): string {
  const t = shift.top;
  const z = t.z >= 100 ? '100+' : t.z.toFixed(1);
  const figures = `a median ${ms(t.windowMedianMs)} where it normally takes ${ms(t.baselineMedianMs)} (${z} robust standard deviations above normal), adding ${ms(shift.addedMsPerRequest)} per request over ${requests} requests`;
  if (t.kind === 'self') return `Latency shift in ${shift.service} "${blamed.operation}": its own time per call took ${figures}.`;
  const hop = `between ${t.caller ?? 'its callers'} and ${blamed.service} "${blamed.operation}"`;
  if (shift.viaCaller !== undefined) {
    return `Latency shift on ${shift.service}'s side of its calls: the time ${hop} took ${figures}, and ${shift.service}'s other calls slowed too while ${blamed.service}'s other callers did not.`;
  }
  return `Latency shift on the way to ${shift.service}: the time ${hop} (network, queueing, a starved process) took ${figures}.`;
}

/** Adds latency-shift causes; where one names a cause already found, the higher score and both reasons are kept. */
function mergeLatencyShifts(causes: RootCause[], shiftCauses: readonly RootCause[]): void {
  for (const sc of shiftCauses) {
    const same = causes.find((c) => c.service === sc.service && c.operation === sc.operation);
    if (!same) {
      if (sc.score > 0) causes.push(sc);
      continue;
    }
    if (sc.score > same.score) {
      same.score = sc.score;
      same.reason = `${sc.reason} ${same.reason}`;
    }
    for (const id of sc.traceIds) addEvidence(same.traceIds, id);
  }
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

function mostSaid(messages: Map<string, number>): string | undefined {
  return heaviest(messages.entries(), ([, n]) => n)?.[0];
}

/** One sentence; it starts with fixed words so that service names keep their own spelling. */
function explain(tally: Tally, incident: Attribution, baseRate: number | null, virtual: boolean, baselineSelf: number | undefined): string {
  const where = `${tally.blame.service} "${tally.blame.operation}"`;
  const against = baseRate === null ? 'with no baseline to compare' : `against ${pct(baseRate)} of requests in the baseline`;
  const failing = (n: number) => `${n} of ${incident.failing} failing requests`;
  const parts: string[] = [];
  if (tally.failingRequests > 0) {
    const share = `${pct(tally.errorWeight / Math.max(1, incident.failing))} of the failures`;
    const own = tally.failingRequests - tally.gaveUpRequests;
    if (virtual) {
      const message = mostSaid(tally.messages);
      parts.push(
        `calls to ${tally.blame.service} (${tally.blame.operation}) failed with ${message !== undefined ? `"${message}"` : 'no answer'} ` +
          `and it reported no spans, starting ${failing(tally.failingRequests)} (${share})`,
      );
    } else if (tally.gaveUpRequests > 0 && tally.gaveUpRequests >= own) {
      const message = mostSaid(tally.gaveUpMessages);
      const slower = median(tally.gaveUpAddedMs);
      const took =
        slower <= 0
          ? ''
          : baselineSelf !== undefined
            ? `, where it was a median ${ms(slower)} slower than its normal self-time of ${ms(baselineSelf)}`
            : `, where it spent a median ${ms(slower)} of its own time`;
      parts.push(
        `callers gave up waiting on ${where}${message !== undefined ? ` ("${message}")` : ''} in ${failing(tally.gaveUpRequests)}${took}` +
          `${own > 0 ? ` and errors started there in ${own} more` : ''} (${share})`,
      );
    } else {
      parts.push(`errors started in ${where} in ${failing(tally.failingRequests)} (${share})`);
    }
  }
  if (tally.slowRequests > 0) {
    const base = baselineSelf !== undefined ? `normal self-time ${ms(baselineSelf)} per call` : 'no baseline self-time';
    const slow = `${tally.slowRequests} of ${incident.slow} slow requests (${pct(tally.latencyWeight / Math.max(1, incident.slow))} of the slowness; ${base})`;
    parts.push(
      parts.length === 0
        ? `slowness came from ${where}, which added a median ${ms(median(tally.addedMs))} to ${slow}`
        : `it added a median ${ms(median(tally.addedMs))} to ${slow}`,
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
    baselineTracesMax: Math.max(1, options.baselineTracesMax ?? 1000),
  };
  const analyzer = new Analyzer(input.entryServices, resolved);
  const baselinePass = new Pass(indexTraces(graftLinkedTraces(input.baselineSpans), resolved.baselineTracesMax));
  const incidentPass = new Pass(indexTraces(graftLinkedTraces(input.spans)));
  analyzer.learnAddresses(baselinePass, false);
  analyzer.learnAddresses(incidentPass, true);
  analyzer.learnBaseline(baselinePass);

  const baseline = analyzer.attribute(baselinePass);
  const incident = analyzer.attribute(incidentPass);
  const windowSamples = analyzer.latencySamples(incidentPass);
  const shifts = latencyShifts(analyzer.latencySamples(baselinePass), windowSamples, incident.requests);
  const impacted = incident.failing + incident.slow;
  if (impacted === 0 && shifts.length === 0) return [];

  const causes: RootCause[] = [];
  for (const [key, tally] of incident.tallies) {
    const base = baseline.tallies.get(key);
    const baseRate = baseline.requests > 0 ? ((base?.errorWeight ?? 0) + (base?.latencyWeight ?? 0)) / baseline.requests : null;
    const explained = tally.errorWeight + tally.latencyWeight - (baseRate ?? 0) * incident.requests;
    const score = roundScore(explained / Math.max(1, impacted));
    if (!(score > 0)) continue;
    const virtual = analyzer.isVirtual(tally.blame.service);
    causes.push({
      service: tally.blame.service,
      operation: tally.blame.operation,
      score,
      reason: explain(tally, incident, baseRate, virtual, analyzer.baselineSelf(key)),
      path: heaviest(tally.paths.values(), (p) => p.weight)?.path ?? [tally.blame.service],
      traceIds: tally.traceIds,
      virtual,
      failingRequests: tally.failingRequests,
      slowRequests: tally.slowRequests,
    });
  }
  mergeLatencyShifts(causes, analyzer.shiftCauses(incidentPass, windowSamples, shifts, incident));
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
