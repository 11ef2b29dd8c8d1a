import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, SpanStatusCode, trace, type SpanContext } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createClient, getTraceparent, init, middleware, runWithContext, type FaultlineSdk } from '@faultline/sdk';
import { SqliteOutbox } from '@faultline/sdk/messaging';
import Database from 'better-sqlite3';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../src/lib/db.js';
import { SagaExecutor } from '../src/saga/executor.js';
import { ORDER_SAGA, type SagaClients } from '../src/saga/orderSaga.js';
import { Reconciler } from '../src/services/orders/reconciler.js';
import { getOrder, getSaga, insertOrder, migrateOrdersSchema, ORDERS_SCHEMA } from '../src/services/orders/store.js';

const exporter = new InMemorySpanExporter();
let sdk: FaultlineSdk;
let server: Server;
/** Path → how many more times it answers 500 before it succeeds. */
const failures = new Map<string, number>();

function stubServices(): express.Express {
  const app = express();
  app.use(middleware());
  app.post(/.*/, (req, res) => {
    const left = failures.get(req.path) ?? 0;
    if (left > 0) {
      failures.set(req.path, left - 1);
      res.status(500).json({ error: 'injected' });
      return;
    }
    res.status(201).json({ ok: true });
  });
  // What the reconciler asks: every service holds exactly one of each.
  app.get(/.*/, (_req, res) => {
    res.json({ captured: 1, reserved: 1, created: 1 });
  });
  return app;
}

function clients(): SagaClients {
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const policies = { retry: false, breaker: false, timeout: { attemptTimeoutMs: 5000, totalTimeoutMs: 5000 } } as const;
  const make = (target: string) => {
    const f = createClient({ target, baseUrl, policies });
    return (path: string, init?: Parameters<typeof f>[1]) => f(path, init);
  };
  return { inventory: make('inventory'), payments: make('payments'), shipping: make('shipping') };
}

function ordersDb(): { db: Db; outbox: SqliteOutbox } {
  const db = openDb(':memory:', ORDERS_SCHEMA);
  migrateOrdersSchema(db);
  const outbox = new SqliteOutbox(db, { source: 'orders' });
  outbox.ensureSchema();
  return { db, outbox };
}

/**
 * What the shop does for `POST /orders`: the gateway's request, orders' SERVER span inside it,
 * the order and its saga row written there (with the request's traceparent), and the saga's
 * first run inline when `inline` (otherwise left to the poller, as after a crash).
 */
async function placeOrder(
  db: Db,
  outbox: SqliteOutbox,
  executor: SagaExecutor,
  inline: boolean,
  orderId: string = randomUUID(),
): Promise<{ orderId: string; gateway: SpanContext; ordersSpan: SpanContext }> {
  const tracer = trace.getTracer('test');
  const gateway = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER, attributes: { 'test.service': 'gateway' } });
  const ordersSpan = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER }, trace.setSpan(context.active(), gateway));
  await context.with(trace.setSpan(context.active(), ordersSpan), () =>
    runWithContext({ correlationId: `corr-${orderId.slice(0, 8)}`, deadlineMs: Date.now() + 10_000 }, async () => {
      insertOrder(db, outbox, { id: orderId, sku: 'sku-1', qty: 1, amount: 1000, correlation_id: `corr-${orderId.slice(0, 8)}` }, true, getTraceparent());
      if (inline) await executor.run(orderId, true);
    }));
  ordersSpan.end();
  gateway.end();
  return { orderId, gateway: gateway.spanContext(), ordersSpan: ordersSpan.spanContext() };
}

async function spansOnceFinished(name: string, orderDone: () => boolean): Promise<ReadableSpan[]> {
  await vi.waitFor(async () => {
    await sdk.forceFlush();
    expect(orderDone(), 'saga not finished yet').toBe(true);
    expect(exporter.getFinishedSpans().some((s) => s.name === name), `no span ${name} yet`).toBe(true);
  }, { timeout: 20_000, interval: 50 });
  await sdk.forceFlush();
  return exporter.getFinishedSpans();
}

function childrenOf(spans: ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
}

function expectLinkedBackground(span: ReadableSpan, gateway: SpanContext, ordersSpan: SpanContext): void {
  expect(span.parentSpanContext, `${span.name} should be a root span`).toBeUndefined();
  expect(span.spanContext().traceId).not.toBe(gateway.traceId);
  expect(span.links.map((l) => l.context.traceId)).toEqual([gateway.traceId]);
  expect(span.links[0]!.context.spanId).toBe(ordersSpan.spanId);
  expect(span.attributes['faultline.background']).toBe(true);
  expect(span.attributes['faultline.origin.trace_id']).toBe(gateway.traceId);
}

beforeAll(async () => {
  sdk = init({ serviceName: 'orders', spanExporter: exporter, scheduledDelayMs: 20 });
  server = stubServices().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await sdk.shutdown();
});
beforeEach(() => {
  failures.clear();
  exporter.reset();
});

describe('saga trace continuity', () => {
  let db: Db;
  let outbox: SqliteOutbox;
  let executor: SagaExecutor;
  beforeEach(() => {
    ({ db, outbox } = ordersDb());
    executor = new SagaExecutor(db, outbox, ORDER_SAGA, clients(), { pollMs: 20, baseBackoffMs: 20, maxBackoffMs: 100 });
    executor.start();
    return async () => {
      await executor.stop();
      db.close();
    };
  });

  it('runs the steps of the request in flight as part of its trace', async () => {
    const { orderId, gateway, ordersSpan } = await placeOrder(db, outbox, executor, true);
    const spans = await spansOnceFinished('POST /orders', () => getSaga(db, orderId)?.phase === 'done');
    const calls = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(calls.map((s) => s.name).sort()).toEqual(['POST inventory', 'POST payments', 'POST shipping']);
    for (const c of calls) {
      expect(c.spanContext().traceId).toBe(gateway.traceId);
      expect(c.parentSpanContext?.spanId).toBe(ordersSpan.spanId);
    }
    expect(spans.some((s) => s.name.startsWith('saga.'))).toBe(false);
    expect(getSaga(db, orderId)!.origin_traceparent).toBe(`00-${gateway.traceId}-${ordersSpan.spanId}-01`);
  });

  it('runs compensations after the request in new traces linked to it, retries from the poller included', async () => {
    const id = randomUUID();
    failures.set('/shipments', 1);
    // The first release fails: the poller retries it after a backoff.
    failures.set(`/reservations/${id}/release`, 1);
    // Placed without the inline run, as after a crash: every step runs from the poller.
    const { orderId, gateway, ordersSpan } = await placeOrder(db, outbox, executor, false, id);
    const spans = await spansOnceFinished('saga.finish cancelled', () => getSaga(db, orderId)?.phase === 'done');

    const byName = (name: string) => spans.filter((s) => s.name === name);
    expect(byName('saga.compensate reserve-stock')).toHaveLength(2); // failed once, retried by the poller
    for (const name of ['saga.step reserve-stock', 'saga.step capture-payment', 'saga.step create-shipment',
      'saga.compensate create-shipment', 'saga.compensate capture-payment', 'saga.compensate reserve-stock', 'saga.finish cancelled']) {
      for (const span of byName(name)) {
        expectLinkedBackground(span, gateway, ordersSpan);
        expect(span.attributes['faultline.correlation_id']).toBe(`corr-${orderId.slice(0, 8)}`);
        if (name.startsWith('saga.finish')) continue;
        // The saga's HTTP call hangs under the step span, in the step's trace.
        const [call] = childrenOf(spans, span).filter((s) => s.kind === SpanKind.CLIENT);
        expect(call, `${name} made no call`).toBeDefined();
        expect(call!.spanContext().traceId).toBe(span.spanContext().traceId);
      }
    }
    expect(byName('saga.step create-shipment')[0]!.status.code).toBe(SpanStatusCode.ERROR);
    const releases = byName('saga.compensate reserve-stock').map((s) => s.status.code);
    expect(releases.sort()).toEqual([SpanStatusCode.UNSET, SpanStatusCode.ERROR]);
    // The cancellation event is written inside the finish span, so the relay continues that trace.
    const finish = byName('saga.finish cancelled')[0]!;
    const event = (await outbox.history(0, 100)).find((r) => r.envelope.type === 'OrderCancelled');
    expect(event!.envelope.traceparent).toContain(finish.spanContext().traceId);
  });

  it('links to the request even when the handed-off compensation follows an inline failure', async () => {
    failures.set('/payments', 1);
    const { orderId, gateway, ordersSpan } = await placeOrder(db, outbox, executor, true);
    const spans = await spansOnceFinished('saga.finish cancelled', () => getSaga(db, orderId)?.phase === 'done');
    const failedCall = spans.find((s) => s.kind === SpanKind.CLIENT && s.name === 'POST payments')!;
    expect(failedCall.spanContext().traceId).toBe(gateway.traceId);
    const compensations = spans.filter((s) => s.name.startsWith('saga.compensate'));
    expect(compensations.length).toBeGreaterThanOrEqual(2);
    for (const span of compensations) expectLinkedBackground(span, gateway, ordersSpan);
  });
});

describe('reconciler trace continuity', () => {
  it('audits a finished order in a new trace linked to the request that placed it', async () => {
    const { db, outbox } = ordersDb();
    const executor = new SagaExecutor(db, outbox, ORDER_SAGA, clients());
    const { orderId, gateway, ordersSpan } = await placeOrder(db, outbox, executor, true);
    const reconciler = new Reconciler(db, clients(), executor, { auditDelayMs: 0 });
    try {
      await vi.waitFor(async () => {
        await reconciler.round();
        expect(getOrder(db, orderId)!.reconciled_ms).not.toBeNull();
      }, { timeout: 20_000, interval: 20 });
      const spans = await spansOnceFinished('reconcile order', () => true);
      const audit = spans.find((s) => s.name === 'reconcile order')!;
      expectLinkedBackground(audit, gateway, ordersSpan);
      expect(childrenOf(spans, audit).filter((s) => s.kind === SpanKind.CLIENT).map((s) => s.name).sort())
        .toEqual(['GET inventory', 'GET payments', 'GET shipping']);
    } finally {
      await reconciler.stop();
      db.close();
    }
  });
});

describe('orders schema migration', () => {
  it('adds origin_traceparent to a database created before it, once, and old sagas still run as background roots', async () => {
    const db = new Database(':memory:');
    db.exec(ORDERS_SCHEMA.replace(/,\s*origin_traceparent TEXT/, ''));
    const hasColumn = () => (db.prepare('PRAGMA table_info(sagas)').all() as { name: string }[]).some((c) => c.name === 'origin_traceparent');
    expect(hasColumn()).toBe(false);
    const orderId = randomUUID();
    const now = Date.now();
    db.prepare("INSERT INTO orders (id, sku, qty, amount, status, created_ms, updated_ms) VALUES (?, 'sku-1', 1, 1000, 'pending', ?, ?)").run(orderId, now, now);
    db.prepare("INSERT INTO sagas (order_id, phase, step, attempts, next_run_ms, updated_ms) VALUES (?, 'forward', 0, 0, ?, ?)").run(orderId, now, now);
    migrateOrdersSchema(db);
    migrateOrdersSchema(db);
    expect(hasColumn()).toBe(true);
    expect(getSaga(db, orderId)!.origin_traceparent).toBeNull();

    const outbox = new SqliteOutbox(db, { source: 'orders' });
    outbox.ensureSchema();
    const executor = new SagaExecutor(db, outbox, ORDER_SAGA, clients(), { pollMs: 20 });
    executor.start();
    try {
      const spans = await spansOnceFinished('saga.finish confirmed', () => getSaga(db, orderId)?.phase === 'done');
      const step = spans.find((s) => s.name === 'saga.step reserve-stock')!;
      expect(step.parentSpanContext).toBeUndefined();
      expect(step.links).toEqual([]);
      expect(step.attributes['faultline.background']).toBe(true);
    } finally {
      await executor.stop();
      db.close();
    }
  });
});
