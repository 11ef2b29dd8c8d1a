import type { ShopEvent } from './envelope.js';

/** Where the relay hands events. `publish` resolves once the broker/consumer has them durably. */
export interface EventTransport {
  readonly name: string;
  publish(event: ShopEvent): Promise<void>;
  close(): Promise<void>;
}

/** Without NATS: POST each event to the consumer's `/events` route. */
export class HttpTransport implements EventTransport {
  readonly name = 'http';
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 2000,
  ) {}

  async publish(event: ShopEvent): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(event.correlationId ? { 'x-correlation-id': event.correlationId } : {}) },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`event delivery answered ${res.status}`);
  }

  async close(): Promise<void> {}
}
