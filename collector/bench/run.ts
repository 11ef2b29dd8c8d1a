// Collector benchmark (`pnpm bench`): ingest throughput and its ceiling, memory over a
// sustained run, query latency over a one-hour window, and an overload run. Bounded in
// time by default; env vars scale each part up to the full-size runs:
//   FAULTLINE_BENCH_INGEST_S   seconds of ingest per backend (default 10)
//   FAULTLINE_BENCH_SOAK_S     seconds of the memory run on SQLite (default 20; full: 300)
//   FAULTLINE_BENCH_QUERY_SPANS spans stored for the query run (default 100000; full: 1000000)
//   FAULTLINE_BENCH_SENDERS    concurrent HTTP senders (default 4)
//   FAULTLINE_BENCH_BYTES_SPANS spans stored for the bytes-a-span figure on SQLite (default 200000; full: 1000000)
//   FAULTLINE_BENCH_ONLY       comma-separated parts to run: ingest,query,overload (default all)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_INGEST_LIMITS, decodeProtobufRequest } from '../src/ingest/index.js';
import { SqliteTraceStore } from '../src/store/sqlite/SqliteTraceStore.js';
import { PostgresTraceStore } from '../src/store/postgres/PostgresTraceStore.js';
import type { TraceStore } from '../src/store/TraceStore.js';
import { DATABASE_URL, dropSchema, postgresReachable, uniqueSchema } from '../test/helpers.js';
import { type OtelDelivery, startOtelDelivery } from './otelDelivery.js';
import { makeTemplate, nextBatch, traceSpans } from './workload.js';
import { measureBytesPerSpan } from './diskBytes.js';

/** Stated memory bound for the collector under overload (default queue and body budgets). */
const OVERLOAD_RSS_MAX_MB = 512;

const pkg = resolve(import.meta.dirname, '..');
const resultsFile = resolve(pkg, '..', 'bench', 'results', 'collector.json');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const INGEST_S = env('FAULTLINE_BENCH_INGEST_S', 10);
const SOAK_S = env('FAULTLINE_BENCH_SOAK_S', 20);
const QUERY_SPANS = env('FAULTLINE_BENCH_QUERY_SPANS', 100_000);
const BYTES_SPANS = env('FAULTLINE_BENCH_BYTES_SPANS', 200_000);
const SENDERS = env('FAULTLINE_BENCH_SENDERS', 4);
const ONLY = new Set((process.env.FAULTLINE_BENCH_ONLY ?? 'ingest,query,overload').split(',').map((x) => x.trim()));

const tmp = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
const results: Record<string, unknown> = { spansPerBatch: 512 };
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  console.log(line);
};
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function startChild(options: object, extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  // node itself (not the tsx wrapper) so that the pid's RSS is the collector's.
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/collectorProcess.ts', JSON.stringify(options)], { cwd: pkg, env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('collector did not start')), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    child.once('exit', (code) => fail(new Error(`collector exited with ${code}`)));
  });
  return { child, url };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function measureDecode(): number {
  const t = makeTemplate();
  const deadline = performance.now() + 3000;
  let spans = 0;
  const started = performance.now();
  while (performance.now() < deadline) {
    spans += decodeProtobufRequest(nextBatch(t), DEFAULT_INGEST_LIMITS).spans.length;
  }
  return spans / ((performance.now() - started) / 1000);
}

async function measureRawInsert(store: TraceStore, seconds: number): Promise<number> {
  const t = makeTemplate();
  const batches = Array.from({ length: 40 }, () => decodeProtobufRequest(nextBatch(t), DEFAULT_INGEST_LIMITS).spans);
  let spans = 0;
  let i = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    // 8 requests of 512 per transaction, as the write queue batches them under load.
    const batch = i + 8 <= batches.length ? batches.slice(i, i + 8).flat() : decodeProtobufRequest(nextBatch(t), DEFAULT_INGEST_LIMITS).spans;
    i += 8;
    await store.insertSpans(batch);
    spans += batch.length;
  }
  return spans / ((performance.now() - started) / 1000);
}

interface LoadResult {
  spansPerSec: number;
  ok: number;
  throttled: number;
  failed: number;
  retryAfterS: number[];
  rssSamplesMb: number[];
}

async function load(url: string, pid: number, seconds: number, senders: number): Promise<LoadResult> {
  const t = makeTemplate();
  const result: LoadResult = { spansPerSec: 0, ok: 0, throttled: 0, failed: 0, retryAfterS: [], rssSamplesMb: [] };
  const stopAt = performance.now() + seconds * 1000;
  const sampler = setInterval(() => result.rssSamplesMb.push(rssMb(pid)), 1000);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (performance.now() < stopAt) {
        const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: nextBatch(t) as unknown as BodyInit });
        await res.arrayBuffer();
        if (res.status === 200) result.ok++;
        else if (res.status === 429 || res.status === 503) {
          result.throttled++;
          result.retryAfterS.push(Number(res.headers.get('retry-after')));
        } else result.failed++;
      }
    }),
  );
  clearInterval(sampler);
  result.spansPerSec = (result.ok * 512) / ((performance.now() - started) / 1000);
  return result;
}

/** Spans a second the senders get through HTTP alone, against a body-reading sink in its own process. */
async function httpCeiling(): Promise<number> {
  const { child, url } = await startChild({ sink: true });
  try {
    await load(url, child.pid!, 1, SENDERS); // warm-up
    return (await load(url, child.pid!, 5, SENDERS)).spansPerSec;
  } finally {
    await stopChild(child);
  }
}

async function ingestRun(label: 'sqlite' | 'postgres', ceiling: number, seconds: number) {
  const schema = uniqueSchema();
  const options = label === 'sqlite' ? { port: 0, grpcPort: 0, dbPath: join(tmp, 'ingest.db'), databaseUrl: null } : { port: 0, grpcPort: 0, databaseUrl: DATABASE_URL, databaseSchema: schema };
  const { child, url } = await startChild(options);
  try {
    await load(url, child.pid!, 2, SENDERS); // warm-up
    const r = await load(url, child.pid!, seconds, SENDERS);
    const rss = r.rssSamplesMb;
    const at = (q: number) => round(rss[Math.min(rss.length - 1, Math.floor(q * (rss.length - 1)))] ?? 0);
    return {
      spansPerSec: Math.round(r.spansPerSec),
      fractionOfCeiling: round(r.spansPerSec / ceiling, 2),
      throttled: r.throttled,
      failed: r.failed,
      rssStartMb: at(0),
      rssEndMb: at(1),
      rssMaxMb: round(Math.max(0, ...rss)),
      /** RSS at 0, 25, 50, 75 and 100% of the run (quartile points): flat means the later ones stop rising. */
      rssQuartilesMb: [0, 0.25, 0.5, 0.75, 1].map(at),
      seconds,
    };
  } finally {
    await stopChild(child);
    if (label === 'postgres') await dropSchema(schema);
  }
}

async function queryRun() {
  const dbPath = join(tmp, 'query.db');
  const store = new SqliteTraceStore({ path: dbPath });
  const now = Date.now();
  const hourAgo = now - 3600_000;
  const traces = Math.ceil(QUERY_SPANS / 8);
  let batch = [];
  const started = performance.now();
  for (let i = 0; i < traces; i++) {
    const startMs = hourAgo + (i / traces) * 3600_000;
    const inIncident = startMs > now - 20 * 60_000 && startMs < now - 10 * 60_000;
    batch.push(...traceSpans(startMs, { paymentsFail: inIncident && i % 3 === 0 }));
    if (batch.length >= 4096) {
      await store.insertSpans(batch, startMs);
      batch = [];
    }
  }
  if (batch.length) await store.insertSpans(batch, now);
  await store.resolvePendingEdges(now + 60_000);
  const loadS = (performance.now() - started) / 1000;
  await store.close();

  const { child, url } = await startChild({ port: 0, grpcPort: 0, dbPath, databaseUrl: null, retentionHours: 0 });
  try {
    const q = `from=${hourAgo}&to=${now}`;
    const timings = async (path: string, n: number, query: (i: number) => string = () => q) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const res = await fetch(`${url}${path}?${query(i)}`);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
        ms.push(performance.now() - t0);
      }
      return ms.sort((a, b) => a - b);
    };
    await timings('/api/graph', 5);
    const graph = await timings('/api/graph', 100);
    await timings('/api/root-causes', 3);
    const rc = await timings('/api/root-causes', 40);
    // A different `to` per request (1 ms apart) defeats the short per-window answer cache:
    // this is the cost of computing an answer, as a dashboard with a moving "now" sees it.
    const rcUncached = await timings('/api/root-causes', 40, (i) => `from=${hourAgo}&to=${now - 1 - i}`);
    const incidents = (await (await fetch(`${url}/api/root-causes?${q}`)).json()) as { incidents: { rootCauses: { service: string }[] }[] };
    return {
      spans: traces * 8,
      loadSeconds: round(loadS),
      graphP50Ms: round(percentile(graph, 0.5), 2),
      graphP95Ms: round(percentile(graph, 0.95), 2),
      rootCausesP50Ms: round(percentile(rc, 0.5), 2),
      rootCausesP95Ms: round(percentile(rc, 0.95), 2),
      rootCausesUncachedP50Ms: round(percentile(rcUncached, 0.5), 2),
      rootCausesUncachedP95Ms: round(percentile(rcUncached, 0.95), 2),
      incidentsFound: incidents.incidents.length,
      topRootCause: incidents.incidents[0]?.rootCauses[0]?.service ?? null,
    };
  } finally {
    await stopChild(child);
  }
}

async function overloadRun(usePostgres: boolean) {
  // Many senders against a small queue in front of the slower store (PostgreSQL when
  // available): more than the store takes, so the queue must fill and refuse.
  const schema = uniqueSchema();
  const storage = usePostgres ? { databaseUrl: DATABASE_URL, databaseSchema: schema } : { dbPath: join(tmp, 'overload.db'), databaseUrl: null };
  const { child, url } = await startChild({ port: 0, grpcPort: 0, ...storage, queueSpansMax: 8192, batchSpansMax: 2048, inflightBodyBytesMax: 8 * 1024 * 1024 });
  try {
    // The official OTel exporter starts 2 s into the flood and ends its spans over the next 4 s,
    // so its batches meet the 429/503 answers and must get through by retrying.
    const fromMs = Date.now();
    let otel: OtelDelivery | null = null;
    const otelStart = setTimeout(() => (otel = startOtelDelivery(url, 200, 10, 4000)), 2000);
    const r = await load(url, child.pid!, 8, 32);
    clearTimeout(otelStart);
    const t0 = performance.now();
    let recoveredMs = -1;
    const t = makeTemplate();
    while (performance.now() - t0 < 30_000) {
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: nextBatch(t) as unknown as BodyInit });
      await res.arrayBuffer();
      if (res.status === 200) {
        recoveredMs = performance.now() - t0;
        break;
      }
      await new Promise((ok) => setTimeout(ok, 100));
    }
    const delivery = otel as OtelDelivery | null;
    let otelStored = -1;
    if (delivery) {
      await Promise.race([delivery.flush(), new Promise((ok) => setTimeout(ok, 60_000))]);
      const traces = (await (await fetch(`${url}/api/traces?service=${delivery.service}&from=${fromMs - 60_000}&to=${Date.now() + 60_000}&limit=1000`)).json()) as { spanCount: number }[];
      otelStored = traces.reduce((n, t) => n + t.spanCount, 0);
    }
    const rssAfterMb = round(rssMb(child.pid!));
    return {
      storage: usePostgres ? 'postgres' : 'sqlite',
      queueSpansMax: 8192,
      senders: 32,
      ok: r.ok,
      throttled: r.throttled,
      failed: r.failed,
      retryAfterAlwaysSet: r.retryAfterS.every((s) => s >= 1),
      rssMaxMb: round(Math.max(0, ...r.rssSamplesMb)),
      recoveredMs: round(recoveredMs),
      rssAfterRecoveryMb: rssAfterMb,
      otelExporter: delivery
        ? { spansEnded: delivery.spansEnded, spansExported: delivery.spansExported, spansFailed: delivery.spansFailed, exports: delivery.exports, spansStored: otelStored, allStored: otelStored === delivery.spansExported && delivery.spansFailed === 0 }
        : null,
    };
  } finally {
    await stopChild(child);
    if (usePostgres) await dropSchema(schema);
  }
}

try {
  // Figures depend on what else the machine runs: record how busy it was.
  results.loadAverage1mAtStart = round(loadavg()[0]!, 2);
  const pgUp = await postgresReachable();
  if (ONLY.has('ingest')) {
  const http = await httpCeiling();
  results.httpCeilingSpansPerSec = Math.round(http);
  say(`HTTP ceiling (a server that only reads the bodies, ${SENDERS} senders): ${Math.round(http)} spans/s`);
  const decode = measureDecode();
  results.decodeSpansPerSec = Math.round(decode);
  say(`decode alone (protobuf → SpanRecord): ${Math.round(decode)} spans/s`);

  const sqliteStore = new SqliteTraceStore({ path: join(tmp, 'raw.db') });
  const rawSqlite = await measureRawInsert(sqliteStore, 5);
  await sqliteStore.close();
  say(`raw store inserts, SQLite: ${Math.round(rawSqlite)} spans/s`);
  const disk = await measureBytesPerSpan(join(tmp, 'bytes.db'), BYTES_SPANS);
  results.sqliteDisk = disk;
  say(`SQLite on disk: ${disk.bytesPerSpan} bytes a span (${disk.spans} spans, ${round(disk.fileBytes / 1e6)} MB file, indexes and aggregates included), target ≤ 120`);

  const sqlite = await ingestRun('sqlite', Math.min(decode, rawSqlite), Math.max(INGEST_S, SOAK_S));
  results.sqlite = { rawInsertSpansPerSec: Math.round(rawSqlite), ingest: sqlite };
  say(`ingest sqlite: ${sqlite.spansPerSec} spans/s (${round(sqlite.spansPerSec / http, 3)} of the HTTP ceiling), target ≥ 0.13`);
  say(`ingest over loopback, SQLite: ${sqlite.spansPerSec} spans/s (${Math.round(sqlite.fractionOfCeiling * 100)}% of ceiling ${Math.round(Math.min(decode, rawSqlite))}), target ≥ 50000`);
  results.memory = { seconds: sqlite.seconds, rssStartMb: sqlite.rssStartMb, rssEndMb: sqlite.rssEndMb, rssMaxMb: sqlite.rssMaxMb, rssQuartilesMb: sqlite.rssQuartilesMb };
  say(`memory over a ${sqlite.seconds} s SQLite ingest run: RSS ${sqlite.rssQuartilesMb.join(' → ')} MB at 0/25/50/75/100% (max ${sqlite.rssMaxMb} MB)`);

  if (pgUp) {
    const schema = uniqueSchema();
    const pgStore = await PostgresTraceStore.open({ connectionString: DATABASE_URL, schema });
    const rawPg = await measureRawInsert(pgStore, 5);
    await pgStore.close();
    await dropSchema(schema);
    say(`raw store inserts, PostgreSQL: ${Math.round(rawPg)} spans/s`);
    const pgIngest = await ingestRun('postgres', Math.min(decode, rawPg), INGEST_S);
    results.postgres = { rawInsertSpansPerSec: Math.round(rawPg), ingest: pgIngest };
    say(`ingest postgres: ${pgIngest.spansPerSec} spans/s (${round(pgIngest.spansPerSec / http, 3)} of the HTTP ceiling)`);
    say(`ingest over loopback, PostgreSQL: ${pgIngest.spansPerSec} spans/s (${Math.round(pgIngest.fractionOfCeiling * 100)}% of ceiling ${Math.round(Math.min(decode, rawPg))}), target ≥ 25000`);
  } else say('PostgreSQL unreachable: PostgreSQL figures skipped');
  }

  if (ONLY.has('query')) {
    const query = await queryRun();
    results.query = query;
    say(`query over one hour with ${query.spans} spans: /api/graph p95 ${query.graphP95Ms} ms, /api/root-causes p95 ${query.rootCausesP95Ms} ms (same window repeated), ${query.rootCausesUncachedP95Ms} ms computed afresh (new window each time) (target ≤ 50 ms)`);
  }

  if (ONLY.has('overload')) {
    const overload = await overloadRun(pgUp);
    results.overload = overload;
    say(`overload (${overload.storage}, 32 senders, queue 8192 spans): ${overload.throttled} answered 429/503 with Retry-After, ${overload.ok} accepted, ${overload.failed} other; collector RSS max ${overload.rssMaxMb} MB, ${overload.rssAfterRecoveryMb} MB after; recovered in ${overload.recoveredMs} ms`);
    const o = overload.otelExporter;
    if (o) say(`overload, official OTel exporter (otlp-proto + BatchSpanProcessor) during the flood: ${o.spansEnded} spans ended, ${o.spansExported} reported exported, ${o.spansFailed} failed, ${o.spansStored} found stored${o.allStored ? ' (all delivered)' : ' (NOT all delivered)'}`);
  }
  results.loadAverage1mAtEnd = round(loadavg()[0]!, 2);
  say(`machine load average (1 min) during the run: ${results.loadAverage1mAtStart} → ${results.loadAverage1mAtEnd} on ${(await import('node:os')).cpus().length} cores`);

  results.summary = lines;
  mkdirSync(resolve(resultsFile, '..'), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${resultsFile}`);
  // The overload promises are checked, not just recorded: a broken one fails `pnpm bench`.
  const overload = results.overload as { failed: number; rssMaxMb: number; otelExporter?: { allStored: boolean } } | undefined;
  if (overload) {
    const broken: string[] = [];
    if (overload.failed > 0) broken.push(`${overload.failed} answers were neither accepted nor 429/503`);
    if (overload.rssMaxMb > OVERLOAD_RSS_MAX_MB) broken.push(`collector RSS ${overload.rssMaxMb} MB over the ${OVERLOAD_RSS_MAX_MB} MB bound`);
    if (overload.otelExporter && !overload.otelExporter.allStored) broken.push('the official OTel exporter did not deliver every span');
    for (const b of broken) console.error(`overload promise broken: ${b}`);
    if (broken.length) process.exitCode = 1;
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
