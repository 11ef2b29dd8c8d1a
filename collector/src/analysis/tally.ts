// Adding up what each request's shares say about each blamed key: weights,
// request counts, messages, added times, propagation paths and example traces.

import { keyOf, SEP, type Attribution, type Blame, type Share, type Tally } from './rootCauseTypes.js';
import { pathFrom, push, type Pass } from './tracePass.js';

/** Example traces each cause carries. */
export const EVIDENCE_TRACES_MAX = 5;

export const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Keeps the smallest ids: the same examples whatever order the spans arrived in. */
export function addEvidence(ids: string[], id: string): void {
  if (ids.includes(id)) return;
  ids.push(id);
  ids.sort(compareIds);
  if (ids.length > EVIDENCE_TRACES_MAX) ids.length = EVIDENCE_TRACES_MAX;
}

export function addShare(byKey: Map<string, Share>, blame: Blame, ms: number, from: number, message: string | undefined): void {
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

function emptyTally(blame: Blame): Tally {
  return {
    blame,
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
}

/** Adds one failing ('error') or slow ('latency') request, split into `shares`, to the tallies of `result`. */
export function record(p: Pass, result: Attribution, entry: number, shares: Share[], kind: 'error' | 'latency'): void {
  const perKey = new Map<string, Share[]>();
  for (const share of shares) {
    if (!(share.weight > 0)) continue;
    push(perKey, keyOf(share.blame), share);
  }
  for (const [key, list] of perKey) {
    let tally = result.tallies.get(key);
    if (!tally) {
      tally = emptyTally(list[0]!.blame);
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
      // Where a request both failed here and was given up on here, whichever carried more of its weight tells it.
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
