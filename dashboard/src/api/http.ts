import { ApiError } from './errors.js';
import { ValidationError } from './validate.js';

export const TOKEN_STORAGE_KEY = 'faultline.token';
export const REQUEST_TIMEOUT_MS = 10_000;

export function storedToken(): string | null {
  try {
    return globalThis.localStorage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

export interface GetOptions {
  signal?: AbortSignal;
  /** Cross-origin calls (the demo control server) never carry the collector token. */
  withToken?: boolean;
  method?: 'GET' | 'POST';
}

/** Fetches JSON and runs it through `parse`; every failure becomes an ApiError. */
export async function requestJson<T>(url: string, parse: (v: unknown) => T, options: GetOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = options.withToken === false ? null : storedToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal, method: options.method ?? 'GET', mode: 'cors' });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw new ApiError('unreachable', `Could not reach ${url}: ${(e as Error).message}`);
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: unknown };
      if (typeof body.error === 'string') message = body.error;
    } catch {
      // Non-JSON error bodies keep the status line as the message.
    }
    const kind = res.status === 401 ? 'unauthorized' : res.status === 404 ? 'not-found' : res.status < 500 ? 'bad-request' : 'server';
    // A proxy in front of a stopped collector answers 502/504: that is "down". A 503 comes from the collector itself.
    throw new ApiError(res.status === 502 || res.status === 504 ? 'unreachable' : kind, message, res.status);
  }
  let body: unknown = null;
  const text = await res.text();
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError('invalid-response', `${url} did not answer JSON`);
    }
  }
  try {
    return parse(body);
  } catch (e) {
    if (e instanceof ValidationError) throw new ApiError('invalid-response', `Unexpected answer from ${url}: ${e.message}`);
    throw e;
  }
}
