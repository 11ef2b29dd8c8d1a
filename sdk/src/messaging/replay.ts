import type { EventEnvelope } from './envelope.js';
import type { Transport } from './transport/Transport.js';

export interface ReplayOptions {
  /** Deliveries of each event. Default 2. */
  copies?: number;
  /** Shuffle seed; same seed, same order. Default 1. */
  seed?: number;
  /** Keep the given order instead of shuffling. Default false. */
  inOrder?: boolean;
}

/** Deterministic Fisher-Yates with a small LCG: reproducible drills without a dependency. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = (seed >>> 0) || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Redelivers events the way a misbehaving broker would: each one `copies`
 * times, shuffled. For drills and tests that prove consumers are harmless to
 * duplicates and reordering (with NATS, use `brokerDedupe: false` or the
 * broker drops the copies). Publishes one event per call; stops at the first
 * failure and returns how many deliveries went through.
 * @example
 * const events = (await outbox.history(0, 10_000)).map((r) => r.envelope);
 * await replayEvents(events, createHttpTransport({ subscribers }), { copies: 2, seed: 42 });
 */
export async function replayEvents(events: readonly EventEnvelope[], transport: Transport, options: ReplayOptions = {}): Promise<{ delivered: number; error?: Error }> {
  const copies = options.copies ?? 2;
  const all: EventEnvelope[] = [];
  for (let c = 0; c < copies; c++) all.push(...events);
  const order = options.inOrder ? all : shuffled(all, options.seed ?? 1);
  let delivered = 0;
  for (const e of order) {
    const r = await transport.publish([e]);
    if (r.published !== 1) return r.error ? { delivered, error: r.error } : { delivered };
    delivered++;
  }
  return { delivered };
}
