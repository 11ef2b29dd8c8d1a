// Root-cause ranking of a cascading failure: for every failing or slow request
// at an entry point, find where the failure *started* (not where it passed
// through), then score each (service, operation) by the share of the
// incident's bad requests it explains beyond what it explained before.
import { indexTraces } from './traceIndex.js';
import { graftLinkedTraces } from './linkedWork.js';
import { carriesFailure, requestFailed } from './failures.js';
import { latencyShifts, type LatencySample, type ServiceShift } from './latencyShift.js';
import {
  resolveRootCauseOptions,
  SEP,
  type Attribution,
  type ResolvedRootCauseOptions,
  type RootCause,
  type RootCauseInput,
  type RootCauseOptions,
} from './rootCauseTypes.js';
import { findEntry, hasFailedChild, median, operationOf, Pass, pathFrom, push, quantile } from './tracePass.js';
import { BlameKeys } from './blameKeys.js';
import { FailureWalk } from './failureWalk.js';
import { addEvidence, compareIds, EVIDENCE_TRACES_MAX, record } from './tally.js';
import { explain, heaviest, shiftReason } from './reasons.js';

export type { RootCause, RootCauseInput, RootCauseOptions } from './rootCauseTypes.js';

/** Latency-shift causes added at most, the most time added first: bounds the answer and the evidence search per shift. */
const SHIFT_CAUSES_MAX = 10;
// An entry request is slow beyond max(factor × q, q + SLOW_MARGIN_MS), q a quantile of its operation's durations.
/** With a baseline, q is its p95: slow means beyond normal's own tail. */
const BASELINE_SLOW_QUANTILE = 0.95;
const BASELINE_SLOW_FACTOR = 1.5;
/** Without one, q is the window's own median (and the threshold at most `slowAbsoluteMs`). */
const WINDOW_SLOW_QUANTILE = 0.5;
const WINDOW_SLOW_FACTOR = 3;
/** ms: a fast operation's jitter is not slowness. */
const SLOW_MARGIN_MS = 50;

function roundScore(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;
}

/** Everything that does not change between the baseline pass and the incident pass. */
class Analyzer {
  private readonly entrySet: ReadonlySet<string>;
  readonly keys = new BlameKeys();
  private baselineSelfMs = new Map<string, number>();
  private baselineCallSelfMs = new Map<string, number>();
  /** Rebuilt by learnBaseline: the walks measure time against the baseline's normal self-times. */
  private walk = new FailureWalk(this.keys, this.baselineSelfMs, this.baselineCallSelfMs);
  private slowThresholdMs = new Map<string, number>();

  constructor(
    entryServices: readonly string[],
    private readonly options: ResolvedRootCauseOptions,
  ) {
    this.entrySet = new Set(entryServices);
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
        push(p.ix.caller[i] ? selfPerCall : selfPerSpan, this.keys.blameKeyOf(p, i), p.self(i));
      }
    }
    this.baselineSelfMs = new Map();
    for (const [key, samples] of selfPerSpan) this.baselineSelfMs.set(key, median(samples));
    this.baselineCallSelfMs = new Map();
    for (const [key, samples] of selfPerCall) this.baselineCallSelfMs.set(key, median(samples));
    this.walk = new FailureWalk(this.keys, this.baselineSelfMs, this.baselineCallSelfMs);
    this.slowThresholdMs = this.slowThresholds(entryDurations, BASELINE_SLOW_QUANTILE, 'baseline');
  }

  private slowThresholds(durations: Map<string, number[]>, q: number, from: 'baseline' | 'window'): Map<string, number> {
    const out = new Map<string, number>();
    for (const [opKey, list] of durations) {
      if (list.length < this.options.minBaselineRequests) continue;
      list.sort((a, b) => a - b);
      const v = quantile(list, q);
      out.set(
        opKey,
        from === 'baseline'
          ? Math.max(v * BASELINE_SLOW_FACTOR, v + SLOW_MARGIN_MS)
          : Math.min(this.options.slowAbsoluteMs, Math.max(v * WINDOW_SLOW_FACTOR, v + SLOW_MARGIN_MS)),
      );
    }
    return out;
  }

  baselineSelf(key: string): number | undefined {
    return this.baselineSelfMs.get(key) ?? this.baselineCallSelfMs.get(key);
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
        const key = this.keys.blameKeyOf(p, i);
        const blame = this.keys.blame(key);
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
    if (!(total > 0) && !shifts.some((s) => s.weak)) return [];
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
      const blamed = this.keys.blame(top.key);
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
        score: shift.weak ? roundScore(WEAK_LEAD_SCORE_PER_Z * Math.min(shift.topZ, WEAK_LEAD_Z_MAX)) : roundScore(total > 0 ? (shift.addedMsPerRequest / total) * notFailing : 0),
        reason: shiftReason(shift, blamed, incident.requests),
        path: entry === -1 ? [shift.service] : pathFrom(ix, blame, best.span, entry),
        traceIds,
        virtual: this.keys.isVirtual(shift.service),
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
        record(p, result, entry, this.walk.errorShares(p, entry, 0), 'error');
        continue;
      }
      const span = p.ix.spans[entry]!;
      const opKey = span.service + SEP + span.name;
      const threshold = this.slowThresholdMs.get(opKey) ?? windowThresholds.get(opKey) ?? this.options.slowAbsoluteMs;
      if (span.durationMs > threshold) {
        result.slow++;
        record(p, result, entry, this.walk.latencyShares(p, entry, 0), 'latency');
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
    return this.slowThresholds(durations, WINDOW_SLOW_QUANTILE, 'window');
  }

  /** The request as its entry service saw it: the earliest topmost span of an entry service (-1: none). */
  private entryOf(p: Pass, t: number): number {
    let entry = p.entries[t];
    if (entry === undefined) p.entries[t] = entry = findEntry(p.ix, p.ix.traces[t]!, this.entrySet);
    return entry;
  }
}

/** Adds latency-shift causes; where one names a cause already found, the higher score and both reasons are kept. */
/** Leads (slower, short of a shift) score at most 0.02: always below any real cause. */
const WEAK_LEAD_SCORE_PER_Z = 0.001;
const WEAK_LEAD_Z_MAX = 20;

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
  const resolved = resolveRootCauseOptions(options);
  const analyzer = new Analyzer(input.entryServices, resolved);
  const baselinePass = new Pass(indexTraces(graftLinkedTraces(input.baselineSpans), resolved.baselineTracesMax));
  const incidentPass = new Pass(indexTraces(graftLinkedTraces(input.spans)));
  analyzer.keys.learnAddresses(baselinePass, false);
  analyzer.keys.learnAddresses(incidentPass, true);
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
    const virtual = analyzer.keys.isVirtual(tally.blame.service);
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
