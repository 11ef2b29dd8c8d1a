import { CircuitState, ConsecutiveBreaker, CountBreaker } from 'cockatiel';
import type { IBreaker } from 'cockatiel';
import { Emitter } from '../../events/Emitter.js';
import type { ResolvedBreaker } from '../options.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerStateChange {
  readonly breaker: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
}

export interface BreakerSnapshot {
  target: string;
  state: BreakerState;
  mode: 'consecutive' | 'ratio';
  /** Failures the strategy currently counts (in a row, or in the window). */
  failures: number;
  /** When the breaker last opened, epoch ms. */
  openedAtMs: number | undefined;
  halfOpenAfterMs: number;
}

/** What tryAcquire() granted; hand it back to record() or release(). */
export const Permit = { Rejected: 0, Normal: 1, Probe: 2 } as const;
export type Permit = (typeof Permit)[keyof typeof Permit];

/**
 * Circuit breaker with cockatiel's failure-counting strategies
 * (ConsecutiveBreaker, CountBreaker). The state machine is our own because
 * cockatiel's allows a single half-open probe and has no notion of slow
 * calls, and because acquiring must be synchronous: an open breaker has to
 * reject in microseconds, without a promise chain.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private readonly strategy: IBreaker;
  private openedAtMs: number | undefined;
  private probesInFlight = 0;
  private probeSuccesses = 0;
  private readonly changes = new Emitter<BreakerStateChange>();
  /** Subscribe to state changes; returns a Disposable. */
  readonly onStateChange = this.changes.on;

  constructor(
    readonly name: string,
    readonly options: ResolvedBreaker,
    private readonly now: () => number = Date.now,
  ) {
    this.strategy =
      options.mode === 'consecutive'
        ? new ConsecutiveBreaker(options.consecutiveFailures)
        : new CountBreaker({ threshold: options.failureRatio, size: options.windowSize, minimumNumberOfCalls: options.minCalls });
  }

  get currentState(): BreakerState {
    return this.state;
  }

  /** Decides whether a call may go out now. Synchronous and allocation-free. */
  tryAcquire(nowMs: number = this.now()): Permit {
    if (this.state === 'closed') return Permit.Normal;
    if (this.state === 'open') {
      if (nowMs - (this.openedAtMs ?? 0) < this.options.halfOpenAfterMs) return Permit.Rejected;
      this.transition('half-open');
      this.probeSuccesses = 0;
      this.probesInFlight = 0;
    }
    if (this.probesInFlight + this.probeSuccesses >= this.options.halfOpenProbes) return Permit.Rejected;
    this.probesInFlight += 1;
    return Permit.Probe;
  }

  /** Records the outcome of a call made under `permit`. `durationMs` feeds the slow-call rule. */
  record(permit: Permit, ok: boolean, durationMs: number): void {
    if (ok && this.options.slowCallMs > 0 && durationMs > this.options.slowCallMs) ok = false;
    if (permit === Permit.Probe) {
      this.probesInFlight = Math.max(0, this.probesInFlight - 1);
      if (this.state !== 'half-open') return;
      if (!ok) {
        this.strategy.failure(CircuitState.HalfOpen);
        this.open();
        return;
      }
      this.probeSuccesses += 1;
      if (this.probeSuccesses >= this.options.halfOpenProbes) {
        // A half-open success resets both strategies' counters.
        this.strategy.success(CircuitState.HalfOpen);
        this.transition('closed');
      }
      return;
    }
    // Calls that started before the breaker opened say nothing about the present.
    if (permit !== Permit.Normal || this.state !== 'closed') return;
    if (ok) this.strategy.success(CircuitState.Closed);
    else if (this.strategy.failure(CircuitState.Closed)) this.open();
  }

  /** Gives a permit back unused (the call was rejected further down before being sent). */
  release(permit: Permit): void {
    if (permit === Permit.Probe) this.probesInFlight = Math.max(0, this.probesInFlight - 1);
  }

  snapshot(): BreakerSnapshot {
    const s = this.strategy.state as number | { failures: number };
    return {
      target: this.name,
      state: this.state,
      mode: this.options.mode,
      failures: typeof s === 'number' ? s : s.failures,
      openedAtMs: this.openedAtMs,
      halfOpenAfterMs: this.options.halfOpenAfterMs,
    };
  }

  private open(): void {
    this.openedAtMs = this.now();
    this.transition('open');
  }

  private transition(to: BreakerState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.changes.emit({ breaker: this.name, from, to });
  }
}
