import { sleep } from '../lib/sleep.js';
import type { ScenarioDefinition } from './catalog.js';
import type { FaultInjector } from './faults.js';

/**
 * Plays a scenario's faults relative to now, `durationMs` being the whole
 * run. Resolves when every fault has ended; an aborted timeline stops
 * injecting and leaves ending the active faults to the caller.
 */
export function playTimeline(
  def: ScenarioDefinition,
  injector: FaultInjector,
  durationMs: number,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const runs = def.timeline.map(async (entry) => {
    await sleep(entry.from * durationMs, signal);
    if (signal?.aborted) return;
    const label = entry.fault === 'down' ? 'down' : entry.fault.kind;
    log(`fault: ${entry.service} ${label}`);
    try {
      if (entry.fault === 'down') await injector.down(entry.service);
      else await injector.chaos(entry.service, entry.fault);
    } catch (err) {
      // A fault that could not be injected is reported, and the run goes on without it.
      log(`could not inject ${label} on ${entry.service}: ${(err as Error).message}`);
      return;
    }
    // The end is fixed on the timeline, not after the (possibly slow) injection.
    await sleep(Math.max(0, (entry.to - entry.from) * durationMs), signal);
    if (signal?.aborted) return;
    log(`fault ends: ${entry.service} ${label}`);
    await injector.end(entry.service).catch((err: unknown) => log(`could not end ${label} on ${entry.service}: ${(err as Error).message}`));
  });
  return Promise.all(runs).then(() => undefined);
}
