// A background round every `intervalMs`, never two at once (the next is scheduled when one
// ends), detached from whatever request context started it; a failed round is logged.
import { AsyncResource } from 'node:async_hooks';

export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly label: string,
    private readonly intervalMs: number,
    private readonly round: () => Promise<void>,
  ) {}

  start(): void {
    const tick = AsyncResource.bind(() => {
      if (this.stopped) return;
      this.round()
        .catch((err: unknown) => console.error(`${this.label}:`, err))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    });
    this.timer = setTimeout(tick, this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
