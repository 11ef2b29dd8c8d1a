import type { CallFailure, FallbackOptions } from '../options.js';

/** Default `when`: every error, and 5xx responses. */
export function defaultFallbackWhen(failure: CallFailure): boolean {
  return failure.error !== undefined || (failure.response !== undefined && failure.response.status >= 500);
}

export function shouldFallback(fallback: FallbackOptions | undefined, failure: CallFailure): fallback is FallbackOptions {
  return fallback !== undefined && (fallback.when ?? defaultFallbackWhen)(failure);
}

/** The fallback's response in place of `failure`; a failed response's body is released first. */
export async function runFallback(fallback: FallbackOptions, failure: CallFailure): Promise<Response> {
  if (failure.response) failure.response.body?.cancel().catch(() => undefined);
  return await fallback.handler(failure);
}
