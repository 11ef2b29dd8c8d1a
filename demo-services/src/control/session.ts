import type { Shop } from '../lib/shop.js';
import { findScenario } from '../scenarios/catalog.js';
import type { FaultRecorder } from '../scenarios/faultSpans.js';
import { FaultInjector, type FaultRecord } from '../scenarios/faults.js';
import { playTimeline } from '../scenarios/timeline.js';
import type { ControlTarget } from './server.js';
import type { SteadyLoad } from './steadyLoad.js';

/** Runs scenarios on the demo's live shop, one at a time, for the control server. */
export class DemoScenarios implements ControlTarget {
  private readonly injector: FaultInjector;
  private current: { name: string; startMs: number; durationMs: number; abort: AbortController; done: Promise<void> } | null = null;

  constructor(
    shop: Shop,
    private readonly load: SteadyLoad,
    private readonly log: (line: string) => void,
    recorder?: FaultRecorder,
  ) {
    this.injector = new FaultInjector(shop, recorder);
  }

  start(name: string, durationMs: number): { name: string; startMs: number; durationMs: number } {
    const def = findScenario(name);
    if (!def) throw new Error(`unknown scenario ${name}`);
    const previous = this.current;
    const abort = new AbortController();
    const startMs = Date.now();
    const done = (async () => {
      if (previous) await this.halt(previous);
      this.log(`scenario ${name} started for ${durationMs / 1000} s`);
      const factor = def.rateFactor;
      const spike = factor
        ? setInterval(() => {
            this.load.factor = factor(Math.min(1, (Date.now() - startMs) / durationMs));
          }, 200)
        : undefined;
      try {
        await playTimeline(def, this.injector, durationMs, this.log, abort.signal);
      } catch (err) {
        this.log(`scenario ${name}: ${(err as Error).message}`);
      } finally {
        if (spike) clearInterval(spike);
        this.load.factor = 1;
      }
      if (!abort.signal.aborted) this.log(`scenario ${name} finished`);
    })();
    this.current = { name, startMs, durationMs, abort, done };
    return { name, startMs, durationMs };
  }

  private async halt(run: NonNullable<DemoScenarios['current']>): Promise<void> {
    run.abort.abort();
    await run.done;
    await this.injector.endAll();
  }

  async stop(): Promise<void> {
    const run = this.current;
    this.current = null;
    if (run) await this.halt(run);
    await this.injector.endAll();
  }

  /** For shutdown: frees black-holed ports without restarting services. */
  async abandon(): Promise<void> {
    this.current?.abort.abort();
    this.current = null;
    await this.injector.releasePorts();
  }

  faults(): FaultRecord[] {
    return this.injector.log;
  }

  active(): { name: string; startMs: number; durationMs: number } | null {
    const c = this.current;
    if (!c || Date.now() > c.startMs + c.durationMs) return null;
    return { name: c.name, startMs: c.startMs, durationMs: c.durationMs };
  }
}
