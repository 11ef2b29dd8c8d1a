// Root-cause ranking of a cascading failure (placeholder body; full scoring follows).
import type { SpanRecord } from '../model.js';

export interface RootCauseInput {
  /** Spans of the incident window (bounded sample of whole traces). */
  spans: readonly SpanRecord[];
  /** Spans from before the incident, of the same services: what normal looked like. */
  baselineSpans: readonly SpanRecord[];
  /** Entry-point services whose users saw the failure; empty means every root span. */
  entryServices: readonly string[];
}

export interface RootCause {
  service: string;
  operation: string;
  /** 0..1: share of the incident's failing/slow requests that start here, beyond the baseline. */
  score: number;
  reason: string;
  /** Services from the root cause to the entry point. */
  path: string[];
}

export function rankRootCauses(_input: RootCauseInput): RootCause[] {
  return [];
}
