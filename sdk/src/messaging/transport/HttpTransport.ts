import type { EventEnvelope } from '../envelope.js';
import { MessagingConfigError } from '../errors.js';
import { toError, type PublishResult, type Transport } from './Transport.js';

export interface HttpSubscriber {
  /** Receiver URL (see `httpReceiver`). */
  url: string;
  /** Event types it wants; default all. */
  types?: readonly string[];
}

export interface HttpTransportOptions {
  subscribers: readonly HttpSubscriber[];
  /** Per POST. Default 5000 ms. */
  timeoutMs?: number;
  /**
   * A subscriber answered 4xx (other than 408/429): it has dead-lettered the
   * event and retrying cannot help, so it counts as delivered. Default: console.warn.
   */
  onRejected?: (info: { url: string; eventId: string; status: number; error: string }) => void;
}

/**
 * The embedded default: POSTs each envelope as JSON to every subscriber that
 * wants its type, in order, one event at a time. An event counts as
 * published once all its subscribers answered 2xx; otherwise the relay
 * retries it later (subscribers that already have it answer `duplicate`).
 * @example
 * const transport = createHttpTransport({ subscribers: [{ url: 'http://127.0.0.1:7003/events', types: ['OrderCreated'] }] });
 */
export class HttpTransport implements Transport {
  readonly system = 'http';
  private readonly subscribers: readonly HttpSubscriber[];
  private readonly timeoutMs: number;
  private readonly onRejected: NonNullable<HttpTransportOptions['onRejected']>;

  constructor(options: HttpTransportOptions) {
    for (const s of options.subscribers) {
      let u: URL;
      try {
        u = new URL(s.url);
      } catch {
        throw new MessagingConfigError('subscriber url must be an absolute http(s) URL');
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new MessagingConfigError('subscriber url must be http(s)');
    }
    this.subscribers = options.subscribers.map((s) => ({ ...s }));
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.onRejected = options.onRejected ?? ((i) => console.warn(`[faultline] http transport: ${i.url} rejected event ${i.eventId} with ${i.status}`));
  }

  destinationOf(envelope: EventEnvelope): string {
    return envelope.type;
  }

  async publish(events: readonly EventEnvelope[]): Promise<PublishResult> {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const targets = this.subscribers.filter((s) => !s.types || s.types.includes(e.type));
      const body = JSON.stringify(e);
      const results = await Promise.all(targets.map((s) => this.post(s.url, e, body)));
      const failure = results.find((r) => r !== undefined);
      if (failure) return { published: i, error: failure };
    }
    return { published: events.length };
  }

  async close(): Promise<void> {}

  private async post(url: string, e: EventEnvelope, body: string): Promise<Error | undefined> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (e.traceparent) headers.traceparent = e.traceparent;
    if (e.tracestate) headers.tracestate = e.tracestate;
    if (e.correlationId) headers['x-correlation-id'] = e.correlationId;
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.text().catch(() => '');
      if (res.ok) return undefined;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        this.onRejected({ url, eventId: e.id, status: res.status, error: text.slice(0, 500) });
        return undefined;
      }
      return new Error(`${url} answered ${res.status}`);
    } catch (err) {
      return new Error(`${url}: ${toError(err).message}`);
    }
  }
}

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  return new HttpTransport(options);
}
