// The sentence behind each score: counts, shares, messages and times, worded
// so that a reader can check them against the traces.

import type { ServiceShift } from './latencyShift.js';
import type { Attribution, Blame, Tally } from './rootCauseTypes.js';
import { median } from './tracePass.js';

/** Robust z-scores beyond this are shown as "100+": past it the exact figure says nothing more. */
const Z_SHOWN_MAX = 100;

export function pct(x: number): string {
  const v = x * 100;
  return `${v >= 10 || v === 0 ? v.toFixed(0) : v.toFixed(1)}%`;
}

export function ms(x: number): string {
  return x >= 100 ? `${Math.round(x)} ms` : `${Math.round(x * 10) / 10} ms`;
}

export function heaviest<T>(values: Iterable<T>, weightOf: (t: T) => number): T | undefined {
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

export function mostSaid(messages: Map<string, number>): string | undefined {
  return heaviest(messages.entries(), ([, n]) => n)?.[0];
}

/** Below this z a shift was judged on its tail, and the reason quotes that instead. */
const TAIL_REASON_Z_BELOW = 3;

export function shiftReason(shift: ServiceShift, blamed: Blame, requests: number): string {
  const t = shift.top;
  const z = t.z >= Z_SHOWN_MAX ? `${Z_SHOWN_MAX}+` : t.z.toFixed(1);
  // A shift seen only in the tail (some calls much slower, the median about the same) says so rather than quoting a small z.
  const spread = t.z >= TAIL_REASON_Z_BELOW ? `(${z} robust standard deviations above normal)` : `(${pct(t.tailShare)} of calls far beyond normal's 99th percentile)`;
  const figures = `a median ${ms(t.windowMedianMs)} where it normally takes ${ms(t.baselineMedianMs)} ${spread}, adding ${ms(shift.addedMsPerRequest)} per request over ${requests} requests`;
  if (t.kind === 'self') return `Latency shift in ${shift.service} "${blamed.operation}": its own time per call took ${figures}.`;
  const hop = `between ${t.caller ?? 'its callers'} and ${blamed.service} "${blamed.operation}"`;
  if (shift.viaCaller !== undefined) {
    return `Latency shift on ${shift.service}'s side of its calls: the time ${hop} took ${figures}, and ${shift.service}'s other calls slowed too while ${blamed.service}'s other callers did not.`;
  }
  return `Latency shift on the way to ${shift.service}: the time ${hop} (network, queueing, a starved process) took ${figures}.`;
}

/** One sentence; it starts with fixed words so that service names keep their own spelling. */
export function explain(tally: Tally, incident: Attribution, baseRate: number | null, virtual: boolean, baselineSelf: number | undefined): string {
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
