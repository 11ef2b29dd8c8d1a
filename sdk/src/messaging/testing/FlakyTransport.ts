import type { EventEnvelope } from '../envelope.js';
import type { PublishResult, Transport } from '../transport/Transport.js';

/**
 * A broker stand-in that can be switched down, or fail after N events: for
 * relay tests of outage behaviour. Everything it accepted is in `received`.
 */
export class FlakyTransport implements Transport {
  readonly system = 'test';
  readonly received: EventEnvelope[] = [];
  down = false;
  /** Accept this many more events, then fail the rest of the batch (once). */
  failAfter: number | undefined;
  publishCalls = 0;

  destinationOf(e: EventEnvelope): string {
    return `test.${e.type}`;
  }

  async publish(events: readonly EventEnvelope[]): Promise<PublishResult> {
    this.publishCalls++;
    if (this.down) return { published: 0, error: new Error('broker down') };
    for (let i = 0; i < events.length; i++) {
      if (this.failAfter !== undefined && i >= this.failAfter) {
        this.failAfter = undefined;
        return { published: i, error: new Error('connection reset') };
      }
      this.received.push(events[i]!);
    }
    return { published: events.length };
  }

  async close(): Promise<void> {}
}
