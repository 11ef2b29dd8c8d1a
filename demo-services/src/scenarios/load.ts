import { createRandom } from '../lib/prng.js';

export interface LoadOptions {
  /** Gateway base URL. */
  url: string;
  /** Requests per second at `elapsedMs` into the run (a constant or a profile, e.g. a spike). */
  rps: (elapsedMs: number) => number;
  durationMs: number;
  seed: number;
  /** A request not answered by then counts as failed with status 0. Default 10 000 ms. */
  timeoutMs?: number;
  /** Requests in flight at once; beyond it a request is counted as dropped (status -1). Default 5000. */
  maxInFlight?: number;
}

export interface RequestResult {
  /** When the request was due (epoch ms): latency is measured from here, not from when it was sent. */
  scheduledMs: number;
  latencyMs: number;
  /** HTTP status; 0 = network error or timeout; -1 = dropped by the generator. */
  status: number;
}

const SKUS = ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5'];

/**
 * Open-loop load: request i is due at a time fixed by the rate alone, and is
 * sent then whether or not earlier requests have answered. Latency counts
 * from the due time, so a stalled system shows up as latency instead of
 * hiding behind fewer requests (no coordinated omission).
 */
export async function runLoad(options: LoadOptions, signal?: AbortSignal): Promise<RequestResult[]> {
  const random = createRandom(options.seed);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxInFlight = options.maxInFlight ?? 5000;
  const results: RequestResult[] = [];
  const pending: Promise<void>[] = [];
  let inFlight = 0;
  const start = Date.now();
  let nextDueOffsetMs = 0;

  const fire = (scheduledMs: number): void => {
    if (inFlight >= maxInFlight) {
      results.push({ scheduledMs, latencyMs: 0, status: -1 });
      return;
    }
    inFlight += 1;
    const body = JSON.stringify({ sku: SKUS[Math.floor(random() * SKUS.length)], qty: 1 + Math.floor(random() * 3) });
    pending.push(
      fetch(`${options.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      })
        .then(async (res) => {
          await res.arrayBuffer().catch(() => undefined);
          return res.status;
        })
        .catch(() => 0)
        .then((status) => {
          inFlight -= 1;
          results.push({ scheduledMs, latencyMs: Date.now() - scheduledMs, status });
        }),
    );
  };

  while (nextDueOffsetMs < options.durationMs && !signal?.aborted) {
    const now = Date.now();
    // Catch up on everything already due: a late timer must not thin the load.
    while (start + nextDueOffsetMs <= now && nextDueOffsetMs < options.durationMs) {
      fire(start + nextDueOffsetMs);
      const rate = Math.max(0.1, options.rps(nextDueOffsetMs));
      nextDueOffsetMs += 1000 / rate;
    }
    const waitMs = Math.max(0, start + nextDueOffsetMs - Date.now());
    await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 50)));
  }
  await Promise.all(pending);
  return results.sort((a, b) => a.scheduledMs - b.scheduledMs);
}

export function percentileMs(latencies: number[], q: number): number {
  if (latencies.length === 0) return 0;
  const sorted = [...latencies].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round(sorted[index]!);
}
