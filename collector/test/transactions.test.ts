// Distributed-transaction state from span events: states, stuck, the API, /metrics, a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as S from '../src/api/answers/index.js';
import type { SpanRecord } from '../src/model.js';
import { otlpJson, postJson, testCollector } from './collector.js';
import { DATABASE_URL, dropSchema, hex, postgresReachable, span, uniqueSchema } from './helpers.js';
import { waitFor } from './services/systemBinaries.js';

type Ev = [name: string, step?: string, offsetMs?: number];

/** One span of `service` for transaction `id`, with the given tx events. */
function txSpan(service: string, id: string, events: Ev[], t0 = Date.now() - 5000, traceId = hex(16)): SpanRecord {
  return span({
    service,
    traceId,
    parentSpanId: hex(8),
    kind: 'internal',
    name: 'saga',
    startMs: t0,
    events: events.map(([name, step, offsetMs]) => ({ name, timeMs: t0 + (offsetMs ?? 0), attributes: { 'faultline.tx.id': id, 'faultline.tx.type': 'order', ...(step ? { 'faultline.tx.step': step } : {}) } })),
  });
}

describe('distributed transactions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-tx-'));
  const open: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const c of open) await c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps per-transaction state across services, answers the API and counts them in /metrics', async () => {
    const c = await testCollector({ txStuckMs: 2_000, alertEvalIntervalMs: 50 });
    open.push(c);
    const trace = hex(16);
    const spans = [
      // done: three steps in two services
      txSpan('orders', 'o-done', [['tx.step.started', 'reserve-stock', 0], ['tx.step.succeeded', 'reserve-stock', 10]], undefined, trace),
      txSpan('payments', 'o-done', [['tx.step.started', 'capture-payment', 20], ['tx.step.succeeded', 'capture-payment', 30]], undefined, trace),
      txSpan('orders', 'o-done', [['tx.completed', undefined, 40]], undefined, trace),
      // compensated, events sent out of order
      txSpan('orders', 'o-comp', [['tx.compensated', undefined, 50], ['tx.step.started', 'capture-payment', 0], ['tx.step.failed', 'capture-payment', 10], ['tx.compensation.started', 'reserve-stock', 20], ['tx.compensation.succeeded', 'reserve-stock', 30]]),
      // still compensating, recent progress
      txSpan('orders', 'o-undoing', [['tx.step.started', 'reserve-stock', 0], ['tx.step.failed', 'reserve-stock', 1], ['tx.compensation.started', 'reserve-stock', 2]], Date.now() - 100),
      // no progress for longer than txStuckMs
      txSpan('orders', 'o-stuck', [['tx.step.started', 'capture-payment', 0]], Date.now() - 60_000),
    ];
    expect((await postJson(c.url, otlpJson(spans))).status).toBe(200);
    // A re-sent request changes nothing.
    expect((await postJson(c.url, otlpJson(spans))).status).toBe(200);

    const list = (await (await fetch(`${c.url}/api/transactions`)).json()) as { id: string; type: string; state: string; services: string[]; traceIds: string[]; step: string }[];
    expect(S.TransactionsAnswer.parse(list), 'answer matches its schema, no field unnamed').toEqual(list);
    const byId = Object.fromEntries(list.map((t) => [t.id, t]));
    expect(byId['o-done']).toMatchObject({ type: 'order', state: 'completed', services: ['orders', 'payments'], traceIds: [trace], step: 'capture-payment' });
    expect(byId['o-comp']!.state).toBe('compensated');
    expect(byId['o-comp']!.step).toBe('reserve-stock');
    expect(byId['o-undoing']!.state).toBe('compensating');
    expect(byId['o-stuck']!.state).toBe('stuck');

    const stuck = (await (await fetch(`${c.url}/api/transactions?state=stuck`)).json()) as { id: string }[];
    expect(stuck.map((t) => t.id)).toEqual(['o-stuck']);

    const one = (await (await fetch(`${c.url}/api/transactions/o-done`)).json()) as { steps: { name: string; service: string; state: string; startMs: number; endMs: number; traceId: string }[] };
    expect(S.TransactionAnswer.parse(one), 'answer matches its schema, no field unnamed').toEqual(one);
    expect(one.steps.map((s) => `${s.service}:${s.name}:${s.state}`)).toEqual(['orders:reserve-stock:succeeded', 'payments:capture-payment:succeeded']);
    expect(one.steps[0]!.traceId).toBe(trace);
    expect(one.steps[0]!.endMs).toBeGreaterThan(one.steps[0]!.startMs);
    const comp = (await (await fetch(`${c.url}/api/transactions/o-comp`)).json()) as { steps: { name: string; state: string }[] };
    expect(comp.steps.map((s) => `${s.name}:${s.state}`)).toEqual(['capture-payment:failed', 'reserve-stock:compensated']);

    expect((await fetch(`${c.url}/api/transactions/nope`)).status).toBe(404);
    expect((await fetch(`${c.url}/api/transactions?state=sleeping`)).status).toBe(400);
    expect((await fetch(`${c.url}/api/transactions?limit=0`)).status).toBe(400);

    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toContain('faultline_transactions{type="order",state="completed"} 1\n');
    expect(metrics).toContain('faultline_transactions{type="order",state="stuck"} 1\n');
    expect(metrics).toContain('faultline_transactions{type="order",state="compensating"} 1\n');

    const alerts = await waitFor('TransactionsStuck firing', async () => {
      const a = (await (await fetch(`${c.url}/api/alerts?state=firing`)).json()) as { labels: Record<string, string>; annotations: Record<string, string> }[];
      return a.find((x) => x.labels.alertname === 'TransactionsStuck');
    });
    expect(alerts.labels.type).toBe('order');
    expect(alerts.annotations.summary).toContain('o-stuck');
  });

  it('keeps transaction state across a collector restart (SQLite file)', async () => {
    const dbPath = join(dir, 'tx.db');
    const first = await testCollector({ dbPath, sqliteWriterThread: true });
    expect((await postJson(first.url, otlpJson([txSpan('orders', 'o-persist', [['tx.step.started', 'reserve-stock', 0], ['tx.step.succeeded', 'reserve-stock', 5]])]))).status).toBe(200);
    await first.close();
    const second = await testCollector({ dbPath });
    open.push(second);
    const tx = (await (await fetch(`${second.url}/api/transactions/o-persist`)).json()) as { state: string; steps: unknown[] };
    expect(tx.state).toBe('running');
    expect(tx.steps).toHaveLength(1);
  });

  it('keeps transaction state across a collector restart (PostgreSQL)', async (ctx) => {
    if (!(await postgresReachable())) return ctx.skip(`PostgreSQL unreachable at ${DATABASE_URL}`);
    const schema = uniqueSchema();
    try {
      const options = { databaseUrl: DATABASE_URL, databaseSchema: schema };
      const first = await testCollector(options);
      expect((await postJson(first.url, otlpJson([txSpan('orders', 'o-pg', [['tx.step.started', 'reserve-stock', 0], ['tx.compensated', undefined, 5]])]))).status).toBe(200);
      await first.close();
      const second = await testCollector(options);
      try {
        const tx = (await (await fetch(`${second.url}/api/transactions/o-pg`)).json()) as { state: string };
        expect(tx.state).toBe('compensated');
      } finally {
        await second.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });
});
