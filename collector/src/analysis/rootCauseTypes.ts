// The shapes of root-cause ranking: its public input, options and answer, and
// the per-request shares and per-key tallies the ranking adds up in between.

import type { SpanRecord } from '../model.js';

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
  /** Fewest requests of an entry operation to derive its slow threshold from (baseline or window). Default 5; at least 1. */
  minBaselineRequests?: number;
  /** Most causes returned. Default 20; at least 0. */
  maxResults?: number;
  /** Baseline traces analysed at most (evenly sampled); plenty for its medians and p95s. Default 1,000; at least 1. */
  baselineTracesMax?: number;
}

export type ResolvedRootCauseOptions = Required<RootCauseOptions>;

/** Defaults applied and bounds enforced once, here. */
export function resolveRootCauseOptions(options: RootCauseOptions): ResolvedRootCauseOptions {
  return {
    slowAbsoluteMs: options.slowAbsoluteMs ?? 1000,
    minBaselineRequests: Math.max(1, options.minBaselineRequests ?? 5),
    maxResults: Math.max(0, options.maxResults ?? 20),
    baselineTracesMax: Math.max(1, options.baselineTracesMax ?? 1000),
  };
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

export interface Blame {
  service: string;
  operation: string;
}

export interface Share {
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

export interface Tally {
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

export interface Attribution {
  requests: number;
  failing: number;
  slow: number;
  tallies: Map<string, Tally>;
}

/** Joins the parts of composite map keys: NUL, which service and operation names do not contain in practice. */
export const SEP = '\u0000';

export const keyOf = (b: Blame) => b.service + SEP + b.operation;
