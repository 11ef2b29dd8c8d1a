import type { EventEnvelope } from '../envelope.js';

/**
 * Outcome of publishing a batch in order. Transports report failures here
 * rather than throwing: the relay decides about retries.
 */
export interface PublishResult {
  /** How many leading events of the batch the broker/subscribers acknowledged. */
  readonly published: number;
  /** Why event `published` (the first unacknowledged one) failed; absent when all went through. */
  readonly error?: Error;
}

/** One way to move envelopes to consumers: NATS JetStream, HTTP, or your own. */
export interface Transport {
  /** `messaging.system` on spans, e.g. `nats`. */
  readonly system: string;
  /** Where an event goes (a subject, an event type): `messaging.destination.name`. */
  destinationOf(envelope: EventEnvelope): string;
  /** Publishes in order; never throws. */
  publish(events: readonly EventEnvelope[]): Promise<PublishResult>;
  close(): Promise<void>;
}

export function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
