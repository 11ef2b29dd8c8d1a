import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Database as Db } from 'better-sqlite3';
import express from 'express';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getCorrelationId, runWithContext } from '../context/index.js';
import { IdempotentConsumer } from './consumer/IdempotentConsumer.js';
import { SqliteInbox } from './consumer/SqliteInbox.js';
import { OutboxRelay } from './relay/OutboxRelay.js';
import { NATS_URL, serviceAvailable, uniqueName } from './testing/services.js';
import { FlakyTransport } from './testing/FlakyTransport.js';
import { ordersDb, placeOrder, projectionDb } from './testing/shop.js';
import { registerTestTracing } from './testing/tracing.js';
import { createHttpTransport } from './transport/HttpTransport.js';
import { httpReceiver } from './transport/httpReceiver.js';
import { createNatsTransport } from './transport/NatsTransport.js';
import { subscribeNats } from './transport/natsSubscriber.js';
import type { Transport } from './transport/Transport.js';

const natsAvailable = await serviceAvailable('NATS');
const tracing = registerTestTracing();
afterAll(() => tracing.shutdown());

interface Seen { correlationId: string | undefined; spanId: string | undefined }

function consumerWith(seen: Seen[], traceMode: 'child' | 'link') {
  return new IdempotentConsumer<Db>({
    name: `notifications-${traceMode}`,
    inbox: new SqliteInbox(projectionDb()),
    traceMode,
    handlers: {
      OrderCreated: () => {
        seen.push({ correlationId: getCorrelationId(), spanId: trace.getActiveSpan()?.spanContext().spanId });
      },
    },
  });
}

/** Places an order inside a request span with a correlation id, as the SDK middleware would. */
function placeOrderInRequest(correlationId: string) {
  const { db, outbox } = ordersDb();
  const tracer = trace.getTracer('test');
  const request = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER });
  context.with(trace.setSpan(context.active(), request), () =>
    runWithContext({ correlationId }, () => placeOrder(db, outbox, 'o-1', 100)));
  request.end();
  return { outbox, request };
}

async function flow(transport: Transport, consumer: IdempotentConsumer<Db>, correlationId: string, seen: Seen[]) {
  tracing.exporter.reset();
  const { outbox, request } = placeOrderInRequest(correlationId);
  const relay = new OutboxRelay({ outbox, transport, pollIntervalMs: 10 });
  relay.start();
  try {
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 5000 });
  } finally {
    await relay.stop();
  }
  await vi.waitFor(() => expect(tracing.exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CONSUMER)).toHaveLength(1));
  const spans = tracing.exporter.getFinishedSpans();
  const producer = spans.find((s) => s.kind === SpanKind.PRODUCER)!;
  const consumerSpan = spans.find((s) => s.kind === SpanKind.CONSUMER)!;
  return { request, producer, consumerSpan };
}

function parentId(s: ReadableSpan): string | undefined {
  return s.parentSpanContext?.spanId;
}

describe('trace context across events', () => {
  it.skipIf(!natsAvailable)('over NATS the CONSUMER span is a child of the PRODUCER span, in the request trace, with one correlation id', async () => {
    const nc: NatsConnection = await connect({ servers: NATS_URL });
    const stream = uniqueName('FLTRACE');
    const seen: Seen[] = [];
    const consumer = consumerWith(seen, 'child');
    await consumer.ensureSchema();
    const sub = subscribeNats({ connection: nc, stream, consumer });
    try {
      await sub.ready;
      const { request, producer, consumerSpan } = await flow(createNatsTransport({ connection: nc, stream }), consumer, 'corr-nats-1', seen);
      expect(producer.spanContext().traceId).toBe(request.spanContext().traceId);
      expect(parentId(producer)).toBe(request.spanContext().spanId);
      expect(consumerSpan.spanContext().traceId).toBe(request.spanContext().traceId);
      expect(parentId(consumerSpan)).toBe(producer.spanContext().spanId);
      expect(producer.attributes).toMatchObject({
        'messaging.system': 'nats',
        'messaging.destination.name': `${stream}.OrderCreated`,
        'messaging.operation': 'publish',
        'faultline.correlation_id': 'corr-nats-1',
      });
      expect(consumerSpan.attributes).toMatchObject({
        'messaging.system': 'nats',
        'messaging.destination.name': `${stream}.OrderCreated`,
        'messaging.operation': 'process',
        'messaging.message.id': producer.attributes['messaging.message.id'],
        'messaging.consumer.group.name': 'notifications-child',
        'faultline.correlation_id': 'corr-nats-1',
        'faultline.messaging.outcome': 'processed',
      });
      expect(seen).toEqual([{ correlationId: 'corr-nats-1', spanId: consumerSpan.spanContext().spanId }]);
    } finally {
      await sub.stop();
      await consumer.close();
      await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
      await nc.drain();
    }
  });

  describe('over HTTP with traceMode link', () => {
    let server: Server;
    const seen: Seen[] = [];
    const consumer = consumerWith(seen, 'link');
    beforeAll(async () => {
      await consumer.ensureSchema();
      const app = express();
      app.post('/events', httpReceiver(consumer));
      server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
    });
    afterAll(async () => {
      await consumer.close();
      await new Promise((r) => server.close(r));
    });

    it('starts a new trace whose CONSUMER span links to the PRODUCER span and keeps the correlation id', async () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
      const { request, producer, consumerSpan } = await flow(createHttpTransport({ subscribers: [{ url }] }), consumer, 'corr-http-1', seen);
      expect(producer.spanContext().traceId).toBe(request.spanContext().traceId);
      expect(consumerSpan.spanContext().traceId).not.toBe(request.spanContext().traceId);
      expect(parentId(consumerSpan)).toBeUndefined();
      expect(consumerSpan.links.map((l) => l.context.spanId)).toEqual([producer.spanContext().spanId]);
      expect(consumerSpan.attributes['faultline.background']).toBe(true);
      expect(consumerSpan.attributes['faultline.origin.trace_id']).toBe(request.spanContext().traceId);
      expect(producer.attributes['faultline.background']).toBeUndefined();
      expect(consumerSpan.attributes['faultline.correlation_id']).toBe('corr-http-1');
      expect(consumerSpan.attributes['messaging.system']).toBe('http');
      expect(seen[0]!.correlationId).toBe('corr-http-1');
    });
  });
});

describe('detached work', () => {
  it('the relay publishes an event written inside a request as a child of it, delivered with the PRODUCER context', async () => {
    tracing.exporter.reset();
    const { outbox, request } = placeOrderInRequest('corr-relay-1');
    const transport = new FlakyTransport();
    const relay = new OutboxRelay({ outbox, transport });
    await relay.drainOnce();
    const producer = tracing.exporter.getFinishedSpans().find((s) => s.kind === SpanKind.PRODUCER)!;
    expect(producer.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(parentId(producer)).toBe(request.spanContext().spanId);
    expect(producer.attributes['faultline.background']).toBeUndefined();
    expect(transport.received[0]!.traceparent).toBe(`00-${producer.spanContext().traceId}-${producer.spanContext().spanId}-01`);
  });

  it('an event written outside any trace is published from a root PRODUCER span marked as background work', async () => {
    tracing.exporter.reset();
    const { db, outbox } = ordersDb();
    placeOrder(db, outbox, 'o-bg', 100);
    const transport = new FlakyTransport();
    await new OutboxRelay({ outbox, transport }).drainOnce();
    const producer = tracing.exporter.getFinishedSpans().find((s) => s.kind === SpanKind.PRODUCER)!;
    expect(parentId(producer)).toBeUndefined();
    expect(producer.attributes['faultline.background']).toBe(true);
    expect(producer.attributes['faultline.origin.trace_id']).toBeUndefined();
    // The consumer still continues the relay's trace.
    const consumer = consumerWith([], 'child');
    await consumer.ensureSchema();
    await consumer.handle(transport.received[0]!, { system: 'test' });
    await consumer.close();
    const consumerSpan = tracing.exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(parentId(consumerSpan)).toBe(producer.spanContext().spanId);
    expect(consumerSpan.attributes['faultline.background']).toBeUndefined();
  });

  it('a delivery without trace context, or a malformed one, is handled in a background root span', async () => {
    tracing.exporter.reset();
    const consumer = consumerWith([], 'child');
    await consumer.ensureSchema();
    const { db, outbox } = ordersDb();
    const untraced = placeOrder(db, outbox, 'o-x', 1);
    expect(untraced.traceparent).toBeUndefined();
    await consumer.handle(untraced, { system: 'test' });
    await consumer.handle('{not json', { system: 'test' });
    await consumer.close();
    const spans = tracing.exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CONSUMER);
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(parentId(span)).toBeUndefined();
      expect(span.links).toEqual([]);
      expect(span.attributes['faultline.background']).toBe(true);
    }
  });
});
