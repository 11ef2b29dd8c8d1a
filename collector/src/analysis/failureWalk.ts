// Splitting one bad request among the keys where it started: a failing
// request along its chain of failed spans, a slow one by the time each key
// added beyond its normal self-time. The two walks recurse into each other: a
// failed call given up on is as slow as its callee, and time spent on failed
// work is blamed on where that failure started.

import type { SpanRecord } from '../model.js';
import type { BlameKeys } from './blameKeys.js';
import { keyOf, SEP, type Share } from './rootCauseTypes.js';
import { calleeHint } from './spanContribution.js';
import { addShare } from './tally.js';
import { calleeChild, endOf, type Pass } from './tracePass.js';
import { childrenOf, failed, type TraceIndex } from './traceIndex.js';
import { carriesFailure, effectiveChildren } from './failures.js';

/** Switches between the error walk and the latency walk at most within one request (bounds the mutual recursion). */
const MAX_NESTING = 8;
/** Spans visited at most by one walk (bounds the cost of one pathological trace). */
const VISITED_SPANS_MAX = 100_000;
/** Characters of a failure message kept: enough to tell messages apart, short enough for one sentence. */
const MESSAGE_CHARS_MAX = 80;

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
  return raw.length > MESSAGE_CHARS_MAX ? `${raw.slice(0, MESSAGE_CHARS_MAX - 3)}...` : raw;
}

export class FailureWalk {
  /**
   * @param baselineSelfMs median self-time (ms) per key of the baseline's server and internal spans
   * @param baselineCallSelfMs median self-time (ms) per key of the baseline's caller-side spans: the wait on the wire
   */
  constructor(
    private readonly keys: BlameKeys,
    private readonly baselineSelfMs: ReadonlyMap<string, number>,
    private readonly baselineCallSelfMs: ReadonlyMap<string, number>,
  ) {}

  private shareOf(p: Pass, i: number, weight: number): Share {
    const share: Share = { blame: this.keys.blame(this.keys.blameKeyOf(p, i)), weight, from: i };
    if (p.ix.caller[i] && calleeChild(p.ix, i) === -1) share.message = failureMessage(p.ix.spans[i]!);
    return share;
  }

  /**
   * Where the time of a slow subtree went, in ms per blamed key: each span's
   * self-time beyond its baseline median, and the whole time of work that
   * failed and was retried or absorbed (blamed on where that failure started),
   * including the backoff before the retry.
   */
  latencyShares(p: Pass, root: number, nesting: number): Share[] {
    const ix = p.ix;
    const byKey = new Map<string, Share>();
    const stack = [root];
    for (let visited = 0; stack.length > 0 && visited < VISITED_SPANS_MAX; visited++) {
      const i = stack.pop()!;
      if (i !== root && failed(ix, i) && nesting < MAX_NESTING) {
        this.addWasted(p, byKey, i, Math.max(0, ix.spans[i]!.durationMs), nesting);
        continue;
      }
      let self = p.self(i);
      if (ix.childCount[i]! > 1 && nesting < MAX_NESTING) self -= this.retryBackoff(p, byKey, i, self, nesting);
      const key = this.keys.blameKeyOf(p, i);
      const excess = self - ((ix.caller[i] ? this.baselineCallSelfMs : this.baselineSelfMs).get(key) ?? 0);
      if (excess > 0) {
        const message = ix.caller[i] && calleeChild(ix, i) === -1 ? failureMessage(ix.spans[i]!) : undefined;
        addShare(byKey, this.keys.blame(key), excess, i, message);
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
  errorShares(p: Pass, top: number, nesting: number): Share[] {
    const ix = p.ix;
    const groups = new Map<string, Share[]>();
    const stack = [top];
    for (let visited = 0; stack.length > 0 && visited < VISITED_SPANS_MAX; visited++) {
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
      const groupKey = origin.length === 1 ? keyOf(origin[0]!.blame) : `${this.keys.blameKeyOf(p, i)}${SEP}slow`;
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
}
