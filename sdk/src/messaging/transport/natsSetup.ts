import { connect, nanos, type JetStreamManager, type NatsConnection } from 'nats';
import { MessagingConfigError } from '../errors.js';

const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export interface NatsStreamOptions {
  /** JetStream stream name (`[A-Za-z0-9_-]`, at most 64). */
  stream: string;
  /** Subjects are `<subjectPrefix>.<event type>`. Default: the stream name. */
  subjectPrefix?: string;
  /** Broker-side dedupe window on `Nats-Msg-Id`. Default 120 000 ms (2 min). */
  duplicateWindowMs?: number;
}

export function resolveStream(o: NatsStreamOptions): { stream: string; subjectPrefix: string; duplicateWindowMs: number } {
  if (!STREAM_NAME.test(o.stream)) throw new MessagingConfigError('stream must be 1-64 chars of [A-Za-z0-9_-]');
  const subjectPrefix = o.subjectPrefix ?? o.stream;
  if (!SUBJECT_PREFIX.test(subjectPrefix)) throw new MessagingConfigError('subjectPrefix must be dot-separated tokens of [A-Za-z0-9_-]');
  const duplicateWindowMs = o.duplicateWindowMs ?? 120_000;
  if (!(duplicateWindowMs >= 100)) throw new MessagingConfigError('duplicateWindowMs must be at least 100');
  return { stream: o.stream, subjectPrefix, duplicateWindowMs };
}

function isNotFound(e: unknown): boolean {
  const err = e as { code?: unknown; api_error?: { code?: number } };
  return err?.api_error?.code === 404 || err?.code === '404' || /not found/i.test(String((e as Error)?.message));
}

/** Creates the stream when missing; an existing stream is left as configured. */
export async function ensureStream(jsm: JetStreamManager, o: ReturnType<typeof resolveStream>): Promise<void> {
  try {
    await jsm.streams.info(o.stream);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    try {
      await jsm.streams.add({
        name: o.stream,
        subjects: [`${o.subjectPrefix}.>`],
        duplicate_window: nanos(o.duplicateWindowMs),
      });
    } catch (addError) {
      // Another process may have created it in between.
      await jsm.streams.info(o.stream).catch(() => {
        throw addError;
      });
    }
  }
}

export interface OwnedConnectionOptions {
  servers: string | string[];
  connectTimeoutMs: number;
  name?: string;
}

/** Connection that keeps reconnecting: a broker outage must not end the relay. */
export function openConnection(o: OwnedConnectionOptions): Promise<NatsConnection> {
  const opts: Parameters<typeof connect>[0] = {
    servers: o.servers,
    timeout: o.connectTimeoutMs,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
  if (o.name !== undefined) opts.name = o.name;
  return connect(opts);
}

export function isNotFoundError(e: unknown): boolean {
  return isNotFound(e);
}
