import { headers as natsHeaders, type NatsConnection } from 'nats';
import type { EventEnvelope } from '../envelope.js';
import { MessagingConfigError } from '../errors.js';
import { ensureStream, openConnection, resolveStream, type NatsStreamOptions } from './natsSetup.js';
import { toError, type PublishResult, type Transport } from './Transport.js';

export interface NatsTransportOptions extends NatsStreamOptions {
  /** Use this connection (you close it)... */
  connection?: NatsConnection;
  /** ...or connect to these servers lazily, reconnecting forever; closed by `close()`. Default NATS_URL or nats://127.0.0.1:4222. */
  servers?: string | string[];
  /** Wait for the stream's PubAck. Default 5000 ms. */
  publishTimeoutMs?: number;
  /** Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Create the stream when missing. Default true. */
  createStream?: boolean;
  /**
   * Set `Nats-Msg-Id` so the broker drops republished copies. Default true;
   * false only for drills that must get duplicates past the broker (`replayEvents`).
   */
  brokerDedupe?: boolean;
}

const encoder = new TextEncoder();

/**
 * Publishes to JetStream at `<subjectPrefix>.<type>` with `Nats-Msg-Id` =
 * event id, so a republish within the stream's duplicate window is dropped
 * by the broker. A batch is pipelined; the result counts the acknowledged
 * prefix, so the relay never marks an event sent before its predecessors.
 * @example
 * const transport = createNatsTransport({ servers: 'nats://127.0.0.1:4222', stream: 'shop' });
 */
export class NatsTransport implements Transport {
  readonly system = 'nats';
  private readonly stream: ReturnType<typeof resolveStream>;
  private readonly publishTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly createStream: boolean;
  private readonly brokerDedupe: boolean;
  private readonly servers: string | string[];
  private readonly external: NatsConnection | undefined;
  private connecting: Promise<NatsConnection> | undefined;
  private streamReady = false;
  private closed = false;

  constructor(options: NatsTransportOptions) {
    this.stream = resolveStream(options);
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.createStream = options.createStream ?? true;
    this.brokerDedupe = options.brokerDedupe ?? true;
    this.external = options.connection;
    this.servers = options.servers ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
    if (!(this.publishTimeoutMs > 0) || !(this.connectTimeoutMs > 0)) {
      throw new MessagingConfigError('publishTimeoutMs and connectTimeoutMs must be positive');
    }
  }

  get subjectPrefix(): string {
    return this.stream.subjectPrefix;
  }

  destinationOf(envelope: EventEnvelope): string {
    return `${this.stream.subjectPrefix}.${envelope.type}`;
  }

  async publish(events: readonly EventEnvelope[]): Promise<PublishResult> {
    if (events.length === 0) return { published: 0 };
    let nc: NatsConnection;
    try {
      nc = await this.connection();
      if (!this.streamReady && this.createStream) {
        await ensureStream(await nc.jetstreamManager(), this.stream);
      }
      this.streamReady = true;
    } catch (e) {
      return { published: 0, error: toError(e) };
    }
    const js = nc.jetstream();
    const acks = events.map((e) => {
      const h = natsHeaders();
      if (e.traceparent) h.set('traceparent', e.traceparent);
      if (e.tracestate) h.set('tracestate', e.tracestate);
      if (e.correlationId) h.set('x-correlation-id', e.correlationId);
      const p = js.publish(this.destinationOf(e), encoder.encode(JSON.stringify(e)), {
        ...(this.brokerDedupe ? { msgID: e.id } : {}),
        timeout: this.publishTimeoutMs,
        headers: h,
        expect: { streamName: this.stream.stream },
      });
      p.catch(() => undefined); // awaited below in order; avoid unhandled rejections for the tail
      return p;
    });
    for (let i = 0; i < acks.length; i++) {
      try {
        await acks[i];
      } catch (e) {
        return { published: i, error: toError(e) };
      }
    }
    return { published: events.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.external || !this.connecting) return;
    const pending = this.connecting;
    this.connecting = undefined;
    try {
      const nc = await pending;
      await nc.drain().catch(() => nc.close());
    } catch {
      // never connected: nothing to close
    }
  }

  private connection(): Promise<NatsConnection> {
    if (this.external) return Promise.resolve(this.external);
    if (this.closed) return Promise.reject(new Error('transport closed'));
    if (!this.connecting) {
      const attempt = openConnection({ servers: this.servers, connectTimeoutMs: this.connectTimeoutMs, name: 'faultline-outbox-relay' });
      this.connecting = attempt;
      // A failed first connect is retried on the next publish (the relay backs off in between).
      attempt.catch(() => {
        if (this.connecting === attempt) this.connecting = undefined;
      });
    }
    return this.connecting;
  }
}

export function createNatsTransport(options: NatsTransportOptions): NatsTransport {
  return new NatsTransport(options);
}
