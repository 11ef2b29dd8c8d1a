import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import type { EventEnvelope } from '../envelope.js';
import { MessagingConfigError } from '../errors.js';
import { DEFAULT_AMQP_URL, ensureExchange, ensureGroupQueue, openAmqp, resolveTopology, type RabbitMqTopology, type RabbitMqTopologyOptions } from './rabbitmqSetup.js';
import { toError, type PublishResult, type Transport } from './Transport.js';

export interface RabbitMqTransportOptions extends RabbitMqTopologyOptions {
  /** Broker URL. Default AMQP_URL or amqp://guest:guest@127.0.0.1:5672. */
  url?: string;
  /**
   * Consumer groups whose queues are declared before the first publish, so
   * events published before a consumer ever started are kept for it (an
   * exchange drops what no queue is bound to). Default none.
   */
  consumerGroups?: readonly string[];
  /** Wait for the broker's confirm of a batch. Default 5000 ms. */
  publishTimeoutMs?: number;
  /** Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Broker connection errors (once per connection). Default: a console warning. */
  onError?: (error: Error) => void;
}

interface Session {
  conn: ChannelModel;
  ch: ConfirmChannel;
  broken: boolean;
}

/**
 * Publishes to a durable topic exchange named after the stream, routing key
 * = event type, persistent, on a confirm channel: the result counts the
 * prefix the broker confirmed, so the relay marks an event sent only after
 * its confirm and never before its predecessors'. Headers carry
 * `traceparent`/`tracestate`, `x-correlation-id` and `x-event-id`;
 * `messageId` is the event id. Connects lazily; after a broker restart the
 * next publish reconnects (the relay backs off in between).
 * @example
 * const transport = createRabbitMqTransport({ url: 'amqp://guest:guest@127.0.0.1:5672', stream: 'shop', consumerGroups: ['notifications'] });
 * new OutboxRelay({ outbox, transport }).start();
 */
export class RabbitMqTransport implements Transport {
  readonly system = 'rabbitmq';
  readonly topology: RabbitMqTopology;
  private readonly url: string;
  private readonly groups: readonly string[];
  private readonly publishTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly onError: (error: Error) => void;
  private session: Promise<Session> | undefined;
  private closed = false;

  constructor(options: RabbitMqTransportOptions) {
    this.topology = resolveTopology(options);
    this.url = options.url ?? process.env.AMQP_URL ?? DEFAULT_AMQP_URL;
    this.groups = options.consumerGroups ?? [];
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.onError = options.onError ?? ((e) => console.warn(`[faultline] rabbitmq transport ${this.topology.exchange}: ${e.message}`));
    if (!(this.publishTimeoutMs > 0) || !(this.connectTimeoutMs > 0)) {
      throw new MessagingConfigError('publishTimeoutMs and connectTimeoutMs must be positive');
    }
  }

  /** `<exchange>.<routing key>`; `messaging.destination.name` on PRODUCER spans. */
  destinationOf(envelope: EventEnvelope): string {
    return `${this.topology.exchange}.${envelope.type}`;
  }

  async publish(events: readonly EventEnvelope[]): Promise<PublishResult> {
    if (events.length === 0) return { published: 0 };
    let s: Session;
    try {
      s = await this.open();
    } catch (e) {
      return { published: 0, error: toError(e) };
    }
    const confirms = events.map((e) => new Promise<void>((resolve, reject) => {
      try {
        s.ch.publish(this.topology.exchange, e.type, Buffer.from(JSON.stringify(e)), messageOptions(e), (err: unknown) => (err ? reject(toError(err)) : resolve()));
      } catch (err) {
        reject(toError(err));
      }
    }));
    for (const c of confirms) c.catch(() => undefined); // awaited in order below
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no publisher confirm within ${this.publishTimeoutMs} ms`)), this.publishTimeoutMs);
    });
    timeout.catch(() => undefined);
    try {
      for (let i = 0; i < confirms.length; i++) {
        try {
          await Promise.race([confirms[i], timeout]);
        } catch (e) {
          // A confirm that never came: later ones on this channel are not trusted either.
          this.drop(s);
          return { published: i, error: toError(e) };
        }
      }
    } finally {
      clearTimeout(timer);
    }
    return { published: events.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.session;
    this.session = undefined;
    if (!pending) return;
    try {
      const s = await pending;
      await s.conn.close().catch(() => undefined);
    } catch {
      // never connected
    }
  }

  private open(): Promise<Session> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    if (!this.session) {
      const attempt = (async () => {
        const conn = await openAmqp(this.url, this.connectTimeoutMs, (e) => this.onError(e));
        try {
          const ch = await conn.createConfirmChannel();
          const s: Session = { conn, ch, broken: false };
          ch.on('error', () => undefined); // the close that follows is what counts
          ch.on('close', () => this.drop(s));
          conn.on('close', () => this.drop(s));
          await ensureExchange(ch, this.topology);
          for (const g of this.groups) await ensureGroupQueue(ch, this.topology, g);
          return s;
        } catch (e) {
          await conn.close().catch(() => undefined);
          throw e;
        }
      })();
      this.session = attempt;
      attempt.catch(() => {
        if (this.session === attempt) this.session = undefined;
      });
    }
    return this.session;
  }

  private drop(s: Session): void {
    if (s.broken) return;
    s.broken = true;
    void this.session?.then((current) => {
      if (current === s) this.session = undefined;
    }, () => undefined);
    s.conn.close().catch(() => undefined);
  }
}

function messageOptions(e: EventEnvelope): Options.Publish {
  const headers: Record<string, string> = { 'x-event-id': e.id };
  if (e.traceparent) headers.traceparent = e.traceparent;
  if (e.tracestate) headers.tracestate = e.tracestate;
  if (e.correlationId) headers['x-correlation-id'] = e.correlationId;
  const o: Options.Publish = {
    persistent: true,
    contentType: 'application/json',
    messageId: e.id,
    type: e.type,
    headers,
  };
  if (e.correlationId) o.correlationId = e.correlationId;
  return o;
}

export function createRabbitMqTransport(options: RabbitMqTransportOptions): RabbitMqTransport {
  return new RabbitMqTransport(options);
}
