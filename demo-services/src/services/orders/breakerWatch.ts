/** The part of the SDK's breaker snapshot this watch reads. */
export interface BreakerView {
  target: string;
  state: string;
}

/**
 * Counts closed→open transitions per target by sampling the SDK's breaker
 * snapshots, so the scenario report can say whether (and how often) a breaker
 * opened without the services keeping business counters.
 */
export class BreakerWatch {
  readonly opened: Record<string, number> = {};
  private readonly last = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly snapshot: () => readonly BreakerView[],
    private readonly intervalMs = 50,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  sample(): void {
    for (const b of this.snapshot()) {
      const before = this.last.get(b.target);
      if (b.state === 'open' && before !== 'open') this.opened[b.target] = (this.opened[b.target] ?? 0) + 1;
      this.last.set(b.target, b.state);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
