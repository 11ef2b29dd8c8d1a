import { FaultlineError } from '../errors/FaultlineError.js';
import { validateFault } from './faults.js';
import type { Fault } from './faults.js';

export interface ChaosControllerOptions {
  /** Nothing is ever injected unless this is true. Default false. */
  enabled?: boolean;
  /** Random source in [0, 1), for reproducible runs. Default Math.random. */
  random?: () => number;
  /** Clock, for tests. */
  now?: () => number;
}

const MAX_FAULTS = 16;

/**
 * Holds the faults a service currently injects. Disabled controllers refuse
 * to hold any, so a stray call in production cannot switch chaos on.
 */
export class ChaosController {
  readonly enabled: boolean;
  readonly random: () => number;
  private readonly now: () => number;
  private faults: Array<{ fault: Fault; untilMs: number }> = [];

  constructor(options: ChaosControllerOptions = {}) {
    this.enabled = options.enabled === true;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Replaces the active faults. Throws when chaos is disabled or a fault is invalid. */
  set(fault: Fault | Fault[]): void {
    if (!this.enabled) throw new FaultlineError('CHAOS_DISABLED', 'chaos is disabled: create the controller with { enabled: true }');
    const list = (Array.isArray(fault) ? fault : [fault]).map(validateFault);
    if (list.length > MAX_FAULTS) throw new FaultlineError('CHAOS_LIMIT', `at most ${MAX_FAULTS} faults at once`);
    const now = this.now();
    this.faults = list.map((f) => ({ fault: f, untilMs: f.durationMs !== undefined ? now + f.durationMs : Number.POSITIVE_INFINITY }));
  }

  clear(): void {
    this.faults = [];
  }

  /** Faults in effect now (expired ones are dropped). */
  active(): Fault[] {
    if (this.faults.length === 0) return [];
    const now = this.now();
    this.faults = this.faults.filter((f) => f.untilMs > now);
    return this.faults.map((f) => f.fault);
  }

  /** The first active fault matching `path` that the dice select, if any. */
  pick(path: string): Fault | undefined {
    if (!this.enabled || this.faults.length === 0) return undefined;
    for (const fault of this.active()) {
      if (fault.path !== undefined && !path.startsWith(fault.path)) continue;
      if (this.random() < (fault.rate ?? 1)) return fault;
    }
    return undefined;
  }
}
