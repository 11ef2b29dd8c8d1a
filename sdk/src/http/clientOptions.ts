import type { FallbackHandler, FallbackOptions, PolicyOptions } from '../policies/options.js';

export interface ClientOptions {
  /** Name of the dependency: `peer.service` on spans, key of the policy registry. */
  target: string;
  /** Prefix for relative request paths, e.g. `http://127.0.0.1:8081`. */
  baseUrl?: string;
  /** Resilience policies; every one has a default (see README). */
  policies?: PolicyOptions;
  /** The fetch used underneath. Default: global fetch. */
  fetch?: typeof fetch;
}

export interface CallOptions {
  /** POST/PATCH get a generated key unless a key is given here or in the headers; `false` opts out. */
  idempotencyKey?: string | false;
  /** Replaces the total timeout for this call, ms. */
  timeoutMs?: number;
  /** Replaces the client's fallback for this call; `false` disables it. */
  fallback?: FallbackOptions | FallbackHandler | false;
}

export type FaultlineRequestInit = RequestInit & CallOptions;

/** A fetch-compatible function bound to one target and its policies. */
export interface FaultlineFetch {
  (input: string | URL, init?: FaultlineRequestInit): Promise<Response>;
  readonly target: string;
}
