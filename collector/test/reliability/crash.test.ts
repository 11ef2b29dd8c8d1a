// Crash durability: a 200 from POST /v1/traces means the spans survive `kill -9`.
// Sends numbered batches to the collector CLI, SIGKILLs it mid-stream, restarts it
// on the same database, re-delivers what was not acknowledged (and some of what
// was, as an exporter does when a response is lost), and checks that every
// acknowledged span is there exactly once. Same with PostgreSQL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../src/model.js';
import { otlpProtobuf } from '../collector.js';
import { DATABASE_URL, dropSchema, postgresReachable, span } from '../helpers.js';
import { startCollectorProcess, stopAllCollectors, type CollectorProcess } from './collectorProcess.js';

const SPANS_PER_BATCH = 40;
const BATCHES_PER_ROUND = 80;
const CONCURRENCY = 4;
const KILL_AFTER_ACKS = 30;

const dir = mkdtempSync(join(tmpdir(), 'faultline-crash-'));
const schemas: string[] = [];
const pgAvailable = await postgresReachable();

afterAll(async () => {
  stopAllCollectors();
  rmSync(dir, { recursive: true, force: true });
  for (const schema of schemas) await dropSchema(schema).catch(() => undefined);
});

/** Batch n of a run: one trace of SPANS_PER_BATCH spans with ids derived from (run, n). */
function batch(runId: string, n: number, startMs: number): { traceId: string; spanIds: string[]; body: Uint8Array } {
  const traceId = `${runId}${n.toString(16).padStart(24, '0')}`;
  const spans: SpanRecord[] = [];
  for (let i = 0; i < SPANS_PER_BATCH; i++) {
    const spanId = `${n.toString(16).padStart(8, '0')}${(i + 1).toString(16).padStart(8, '0')}`;
    const parentSpanId = i === 0 ? '' : `${n.toString(16).padStart(8, '0')}${Math.ceil(i / 2).toString(16).padStart(8, '0')}`;
    spans.push(
      span({
        service: i === 0 ? 'crash-entry' : `crash-svc-${i % 3}`,
        traceId,
        spanId,
        parentSpanId,
        kind: i === 0 ? 'server' : i % 2 ? 'client' : 'server',
        name: `op-${i}`,
        startMs: startMs + i,
        durationMs: 50 - i,
        attributes: { 'batch.number': n, 'span.index': i },
      }),
    );
  }
  return { traceId, spanIds: spans.map((s) => s.spanId), body: otlpProtobuf(spans) };
}

type Outcome = 'acked' | 'failed';

async function post(url: string, body: Uint8Array): Promise<number | 'network-error'> {
  try {
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(body) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'network-error';
  }
}

/**
 * Sends the batches with CONCURRENCY requests in flight. `onAck` runs after each
 * 200 and may kill the collector: the other requests are then still in flight.
 */
async function sendAll(url: string, numbers: number[], body: (n: number) => Uint8Array, onAck: (acked: number) => void): Promise<Map<number, Outcome>> {
  const outcomes = new Map<number, Outcome>();
  const queue = [...numbers];
  let acked = 0;
  const worker = async () => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      const status = await post(url, body(n));
      if (status === 200) {
        outcomes.set(n, 'acked');
        onAck(++acked);
      } else {
        outcomes.set(n, 'failed');
        if (status !== 'network-error' && status !== 429 && status !== 503) throw new Error(`batch ${n}: unexpected status ${status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return outcomes;
}

interface StoredTrace {
  status: number;
  spanIds: string[];
}

async function storedTrace(url: string, traceId: string): Promise<StoredTrace> {
  const res = await fetch(`${url}/api/traces/${traceId}`);
  if (res.status !== 200) return { status: res.status, spanIds: [] };
  const body = (await res.json()) as { spans: { spanId: string }[] };
  return { status: 200, spanIds: body.spans.map((s) => s.spanId) };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
    }),
  );
  return out;
}

interface Backend {
  name: string;
  skip: string | null;
  start(): Promise<CollectorProcess>;
}

function sqliteBackend(): Backend {
  const dbPath = join(dir, `crash-${randomBytes(4).toString('hex')}.db`);
  return { name: 'SQLite', skip: null, start: () => startCollectorProcess({ dbPath }) };
}

function postgresBackend(): Backend {
  const schema = `fl_crash_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  schemas.push(schema);
  return {
    name: 'PostgreSQL',
    skip: pgAvailable ? null : `PostgreSQL unreachable at ${DATABASE_URL}`,
    start: () => startCollectorProcess({ env: { FAULTLINE_DATABASE_URL: DATABASE_URL, FAULTLINE_DATABASE_SCHEMA: schema } }),
  };
}

const backends = [sqliteBackend(), postgresBackend()];

describe.each(backends)('crash durability on $name', (backend) => {
  it.skipIf(backend.skip !== null)(
    'every acknowledged span survives SIGKILL mid-stream, exactly once, across two crashes and re-delivery',
    async () => {
      const runId = randomBytes(4).toString('hex');
      const startMs = Date.now() - 5_000;
      const cache = new Map<number, ReturnType<typeof batch>>();
      const get = (n: number) => {
        let b = cache.get(n);
        if (!b) cache.set(n, (b = batch(runId, n, startMs + n)));
        return b;
      };
      const everAcked = new Set<number>();
      const figures: Record<string, number> = {};

      let collector = await backend.start();
      for (let round = 0; round < 2; round++) {
        const numbers = Array.from({ length: BATCHES_PER_ROUND }, (_, i) => round * BATCHES_PER_ROUND + i);
        const current = collector;
        let killed: Promise<void> | null = null;
        const outcomes = await sendAll(current.url, numbers, (n) => get(n).body, (acked) => {
          if (acked === KILL_AFTER_ACKS && !killed) killed = current.kill('SIGKILL');
        });
        await killed;
        expect(current.alive()).toBe(false);
        const acked = [...outcomes].filter(([, o]) => o === 'acked').map(([n]) => n);
        const unacked = numbers.filter((n) => outcomes.get(n) !== 'acked');
        figures[`round${round}Acked`] = acked.length;
        figures[`round${round}Unacked`] = unacked.length;
        for (const n of acked) everAcked.add(n);
        expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
        expect(unacked.length).toBeGreaterThan(0); // the kill really was mid-stream

        collector = await backend.start();
        // Before anything is re-sent: what was acknowledged is there, once.
        const afterCrash = await mapLimit(acked, 8, (n) => storedTrace(collector.url, get(n).traceId));
        afterCrash.forEach((stored, k) => {
          const expected = get(acked[k]!);
          expect(stored.status, `acknowledged batch ${acked[k]} after kill`).toBe(200);
          expect([...stored.spanIds].sort()).toEqual([...expected.spanIds].sort());
        });
        // An exporter re-sends what it got no answer for, and sometimes what it did (a lost response).
        const redeliver = [...unacked, ...acked.slice(0, 3)];
        const again = await sendAll(collector.url, redeliver, (n) => get(n).body, () => undefined);
        for (const n of redeliver) expect(again.get(n), `re-delivery of batch ${n}`).toBe('acked');
        for (const n of redeliver) everAcked.add(n);
      }

      // Every batch ever acknowledged, in both rounds, stored exactly once.
      const all = [...everAcked].sort((a, b) => a - b);
      const stored = await mapLimit(all, 8, (n) => storedTrace(collector.url, get(n).traceId));
      let spansFound = 0;
      stored.forEach((s, k) => {
        const expected = get(all[k]!);
        expect(s.status, `batch ${all[k]}`).toBe(200);
        expect(s.spanIds).toHaveLength(SPANS_PER_BATCH);
        expect(new Set(s.spanIds).size).toBe(SPANS_PER_BATCH);
        expect([...s.spanIds].sort()).toEqual([...expected.spanIds].sort());
        spansFound += s.spanIds.length;
      });
      // The trace summaries must not count a re-delivered span twice either.
      const res = await fetch(`${collector.url}/api/traces?service=crash-entry&from=${startMs - 60_000}&to=${Date.now() + 60_000}&limit=1000`);
      expect(res.status).toBe(200);
      const listed = ((await res.json()) as { traceId: string; spanCount: number }[]).filter((t) => t.traceId.startsWith(runId));
      expect(listed).toHaveLength(all.length);
      for (const t of listed) expect(t.spanCount, `spanCount of ${t.traceId}`).toBe(SPANS_PER_BATCH);

      figures.spansAcknowledged = all.length * SPANS_PER_BATCH;
      figures.spansFound = spansFound;
      console.log(`crash durability (${backend.name}): ${JSON.stringify(figures)}`);
      await collector.kill('SIGTERM');
    },
    180_000,
  );
});
