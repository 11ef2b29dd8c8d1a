// SDK overhead in attach mode: the application already runs the official OpenTelemetry SDK
// (@opentelemetry/sdk-node) with the http and undici instrumentations, and init() attaches to it.
// Compared with that same setup's own instrumented bare fetch (one undici CLIENT span per call),
// in the same process and rounds. Writes bench/results/sdk-overhead-attached.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExportResultCode } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createClient, init, shutdown } from '../src/index.js';
import { startLoopback } from './loopbackServer.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(here, '..', '..', 'bench', 'results', 'sdk-overhead-attached.json');
const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 200);

type Call = () => Promise<unknown>;
let exportedSpans = 0;
const countingExporter: SpanExporter = {
  export: (spans, done) => {
    exportedSpans += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  },
  shutdown: async () => undefined,
};

async function latencies(call: Call, n: number, out: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}

const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const otel = new NodeSDK({ serviceName: 'bench-attached', traceExporter: countingExporter, instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation()] });
  otel.start();
  const faultline = init({ serviceName: 'bench-attached' });
  if (faultline.mode !== 'attached') throw new Error(`expected attach mode, got ${faultline.mode}`);
  const loop = await startLoopback();
  const url = `${loop.url}/items`;
  const bare: Call = async () => (await fetch(url)).arrayBuffer();
  const client = createClient({
    target: 'bench-target',
    baseUrl: loop.url,
    policies: { retry: { maxAttempts: 3 }, budget: {}, breaker: { mode: 'ratio' }, bulkhead: { maxConcurrent: 100, maxQueue: 100 }, fallback: () => new Response('fallback') },
  });
  const sdk: Call = async () => (await client('/items')).arrayBuffer();
  const variants: Record<string, Call> = { instrumentedBare: bare, sdk };
  const samples: Record<string, number[]> = { instrumentedBare: [], sdk: [] };
  for (const call of Object.values(variants)) await latencies(call, WARMUP, []);
  const start = performance.now();
  let rounds = 0;
  for (; rounds < ROUNDS && performance.now() - start < 30_000; rounds++) {
    for (const [name, call] of Object.entries(variants)) await latencies(call, CALLS_PER_ROUND, samples[name]!);
  }
  // One span per call either way: undici's for the bare fetch, Faultline's (undici suppressed) for the SDK.
  await faultline.forceFlush();
  const calls = (WARMUP + rounds * CALLS_PER_ROUND) * 2;
  await shutdown();
  await otel.shutdown();
  await loop.stop();
  const result = {
    machine: { cpus: availableParallelism(), loadAverage1m: loadavg()[0] },
    calls: { warmup: WARMUP, perRound: CALLS_PER_ROUND, rounds },
    instrumentedBare: { p50Ms: p50(samples.instrumentedBare!) },
    sdk: { p50Ms: p50(samples.sdk!) },
    spansPerCall: exportedSpans / calls,
    ratios: { sdkVsInstrumentedBareP50: p50(samples.sdk!) / p50(samples.instrumentedBare!) },
  };
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`attached: instrumented bare fetch p50 ${result.instrumentedBare.p50Ms.toFixed(3)} ms, sdk p50 ${result.sdk.p50Ms.toFixed(3)} ms, spans per call ${result.spansPerCall.toFixed(2)}`);
  console.log(`sdk overhead p50 (attached to sdk-node + http/undici instrumentation): ${result.ratios.sdkVsInstrumentedBareP50.toFixed(2)}x bare fetch`);
}

await main();
