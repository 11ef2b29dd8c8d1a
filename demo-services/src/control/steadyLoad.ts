import { createRandom } from '../lib/prng.js';

const SKUS = ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5'];

/**
 * The demo's never-ending open-loop load. `factor` multiplies the rate (the
 * traffic-spike scenario sets it); answers are only counted. With `reads`
 * (path prefixes, migration mode) each placed order is then read through each
 * of them, so every strangler route carries traffic for its canary.
 */
export class SteadyLoad {
  factor = 1;
  readonly counts: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private nextDueMs = 0;
  private readonly random = createRandom(1);

  constructor(
    private readonly url: string,
    private readonly rps: number,
    private readonly maxInFlight = 1000,
    private readonly timeoutMs = 15_000,
    private readonly reads: readonly string[] = [],
  ) {}

  start(): void {
    this.nextDueMs = Date.now();
    this.timer = setInterval(() => this.tick(), 20);
  }

  private tick(): void {
    const now = Date.now();
    while (this.nextDueMs <= now) {
      this.fire();
      this.nextDueMs += 1000 / Math.max(0.1, this.rps * this.factor);
    }
  }

  private fire(): void {
    if (this.inFlight >= this.maxInFlight) {
      this.count('dropped');
      return;
    }
    this.inFlight += 1;
    const body = JSON.stringify({ sku: SKUS[Math.floor(this.random() * SKUS.length)], qty: 1 + Math.floor(this.random() * 3) });
    fetch(`${this.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(this.timeoutMs) })
      .then(async (res) => {
        const text = await res.text().catch(() => '');
        this.count(String(res.status));
        const orderId = this.reads.length > 0 && res.ok ? orderIdOf(text) : undefined;
        for (const prefix of orderId ? this.reads : []) {
          const read = await fetch(`${this.url}${prefix}/${orderId}`, { signal: AbortSignal.timeout(this.timeoutMs) });
          await read.arrayBuffer().catch(() => undefined);
          this.count(`GET ${read.status}`);
        }
      })
      .catch(() => this.count('no answer'))
      .finally(() => {
        this.inFlight -= 1;
      });
  }

  private count(key: string): void {
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }

  /** Counts since the last call, then resets them. */
  drain(): Record<string, number> {
    const out = { ...this.counts };
    for (const k of Object.keys(this.counts)) delete this.counts[k];
    return out;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

function orderIdOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { orderId?: unknown };
    return typeof body.orderId === 'string' ? body.orderId : undefined;
  } catch {
    return undefined;
  }
}
