import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, isApiError } from '../api/errors.js';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True until the first answer (or error) for the current key arrives. */
  loading: boolean;
  /** True while any request is in flight, including background refreshes. */
  refreshing: boolean;
  reload: () => void;
}

const RETRY_BASE_MS = 2000;
const RETRY_MAX_MS = 30_000;

/**
 * Runs `fetcher` whenever `key` changes or `tick` advances. Data from the
 * previous answer stays on screen during refreshes so live views do not flicker;
 * a changed key (another trace, another service) starts from loading again.
 */
export function useApi<T>(key: string | null, tick: number, fetcher: (signal: AbortSignal) => Promise<T>): ApiState<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; error?: ApiError; loading: boolean; refreshing: boolean }>({
    key,
    loading: key !== null,
    refreshing: key !== null,
  });
  const [manual, setManual] = useState(0);
  const failures = useRef(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  useEffect(() => {
    if (key === null) {
      setState({ key, loading: false, refreshing: false });
      return;
    }
    const controller = new AbortController();
    let retry: ReturnType<typeof setTimeout> | null = null;
    setState((s) => (s.key === key ? { ...s, refreshing: true } : { key, loading: true, refreshing: true }));
    fetcherRef
      .current(controller.signal)
      .then((data) => {
        if (controller.signal.aborted) return;
        failures.current = 0;
        setState({ key, data, loading: false, refreshing: false });
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        const error = isApiError(e) ? e : new ApiError('invalid-response', (e as Error)?.message ?? String(e));
        // Keep showing the last good data under the error banner during a live refresh.
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, error, loading: false, refreshing: false }));
        // Retry on its own with backoff (2 s, 4 s … 30 s) unless the answer is final.
        if (error.kind !== 'not-found' && error.kind !== 'bad-request' && error.kind !== 'unauthorized') {
          const delayMs = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failures.current);
          failures.current += 1;
          retry = setTimeout(() => setManual((n) => n + 1), delayMs);
        }
      });
    return () => {
      controller.abort();
      if (retry) clearTimeout(retry);
    };
  }, [key, tick, manual]);

  const reload = useCallback(() => setManual((n) => n + 1), []);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: current ? state.loading : key !== null,
    refreshing: state.refreshing,
    reload,
  };
}

/** Runs async jobs with at most `limit` in flight (bounded fan-out to the collector). */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
