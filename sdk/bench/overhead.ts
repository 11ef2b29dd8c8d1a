// SDK overhead against bare fetch, cockatiel and opossum on a loopback server.
// Writes bench/results/sdk-overhead.json; the last line is the headline ratio.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  BulkheadPolicy,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleAll,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import CircuitBreaker from 'opossum';
import { ProxyTracerProvider } from '@opentelemetry/api';
import { createClient, init, isBrokenCircuitError, shutdown } from '../src/index.js';
import { getTracer, setTracer } from '../src/telemetry/tracer.js';
import { startLoopback } from './loopbackServer.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(here, '..', '..', 'bench', 'results', 'sdk-overhead.json');

const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);
// Short interleaved rounds: on a shared machine, load drifts over seconds, so
// every variant must sample every moment alike.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 200);
const THROUGHPUT_MS = Number(process.env.BENCH_THROUGHPUT_MS ?? 1000);
const CONCURRENCY = 16;

type Call = () => Promise<unknown>;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function latencies(call: Call, n: number, out: number[] = []): Promise<number[]> {
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

async function throughput(call: Call, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await call();
        done++;
      }
    }),
  );
  return (done * 1000) / ms;
}

/** Exports nothing: the batch processor still runs, the network does not. */
const discardExporter: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => undefined,
};

/**
 * The SDK's own cost per call, with a fetch that answers at once: the loopback
 * figures above carry tens of microseconds of scheduling noise on a shared
 * machine, this one moves only when the SDK's code path does.
 */
async function measureCallPath(
  realTracer: ReturnType<typeof getTracer>,
  noopTracer: ReturnType<typeof getTracer>,
): Promise<{ tracedUs: number; untracedUs: number; abortControllerAndTimerUs: number }> {
  const response = new Response(null, { status: 204 });
  const instant = (async () => response) as unknown as typeof fetch;
  const client = createClient({ target: 'bench-call-path', baseUrl: 'http://127.0.0.1:9', fetch: instant });
  const n = Number(process.env.BENCH_CALL_PATH_CALLS ?? 50_000);
  const meanUs = async (call: Call): Promise<number> => {
    for (let i = 0; i < 5_000; i++) await call();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await call();
    return Number(process.hrtime.bigint() - t0) / n / 1000;
  };
  const controllerAndTimer: Call = async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    await instant('http://127.0.0.1:9/', { signal: controller.signal });
    clearTimeout(timer);
  };
  const abortControllerAndTimerUs = await meanUs(controllerAndTimer);
  const tracedUs = await meanUs(() => client('/items'));
  setTracer(noopTracer);
  try {
    return { tracedUs, untracedUs: await meanUs(() => client('/items')), abortControllerAndTimerUs };
  } finally {
    setTracer(realTracer);
  }
}

async function main(): Promise<void> {
  const loop = await startLoopback();
  const url = `${loop.url}/items`;
  init({ serviceName: 'bench', spanExporter: discardExporter });

  const bare: Call = async () => (await fetch(url)).arrayBuffer();

  const sdkClient = createClient({
    target: 'bench-target',
    baseUrl: loop.url,
    policies: {
      timeout: { attemptTimeoutMs: 5000, totalTimeoutMs: 15000 },
      retry: { maxAttempts: 3 },
      budget: {},
      breaker: { mode: 'ratio' },
      bulkhead: { maxConcurrent: 100, maxQueue: 100 },
      fallback: () => new Response('fallback'),
    },
  });
  const sdk: Call = async () => (await sdkClient('/items')).arrayBuffer();

  const cockatielPolicy = wrap(
    retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, { halfOpenAfter: 5000, breaker: new ConsecutiveBreaker(5) }),
    bulkhead(100, 100) as BulkheadPolicy,
    timeout(5000, TimeoutStrategy.Aggressive),
  );
  // A fresh signal per call: cockatiel's shared default signal accumulates
  // one abort listener per fetch otherwise.
  const cockatielCall: Call = async () => {
    const controller = new AbortController();
    return cockatielPolicy.execute(async ({ signal }) => (await fetch(url, { signal })).arrayBuffer(), controller.signal);
  };

  const opossum = new CircuitBreaker(async () => (await fetch(url)).arrayBuffer(), {
    timeout: 5000,
    errorThresholdPercentage: 50,
    resetTimeout: 5000,
  });
  const opossumCall: Call = () => opossum.fire();

  // Not a competitor: what the wire contract alone costs (trace/correlation/deadline
  // headers and an abortable request), to show what dominates the SDK's overhead.
  const floor: Call = async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    const res = await fetch(url, {
      signal: controller.signal,
      headers: {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        'x-correlation-id': '3f1c2a54-8d2b-4c55-9a53-8a1e1f1b9c11',
        'x-request-deadline': String(Date.now() + 5000),
      },
    });
    clearTimeout(timer);
    return res.arrayBuffer();
  };

  // Also not a competitor: the same SDK client with a no-op tracer, to split
  // the overhead between policies and tracing.
  const realTracer = getTracer();
  const noopTracer = new ProxyTracerProvider().getTracer('noop');
  const sdkUntraced: Call = async () => {
    setTracer(noopTracer);
    try {
      return await sdk();
    } finally {
      setTracer(realTracer);
    }
  };

  const variants: Record<string, Call> = {
    bare,
    sdk,
    cockatiel: cockatielCall,
    opossum: opossumCall,
    headersAndSignal: floor,
    sdkWithoutTracing: sdkUntraced,
  };
  const samples: Record<string, number[]> = {};
  for (const [name, call] of Object.entries(variants)) {
    await latencies(call, WARMUP);
    samples[name] = [];
  }
  // Bounded in time: on a saturated machine fewer rounds are run, never a longer benchmark.
  const latencyBudgetMs = 35_000;
  const latencyStart = performance.now();
  let rounds = 0;
  for (; rounds < ROUNDS && performance.now() - latencyStart < latencyBudgetMs; rounds++) {
    for (const [name, call] of Object.entries(variants)) await latencies(call, CALLS_PER_ROUND, samples[name]);
  }
  const results: Record<string, { p50Ms: number; p99Ms: number; throughputRps: number }> = {};
  for (const [name, call] of Object.entries(variants)) {
    const sorted = samples[name]!.sort((a, b) => a - b);
    results[name] = { p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), throughputRps: await throughput(call, THROUGHPUT_MS) };
  }

  // Fast-fail with the breaker open: how long a rejected call takes.
  const dead = createClient({
    target: 'bench-dead',
    baseUrl: 'http://127.0.0.1:9',
    policies: { retry: false, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 3_600_000 } },
  });
  await dead('/').catch(() => undefined);
  const openLatencies: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const t0 = process.hrtime.bigint();
    try {
      await dead('/');
    } catch (error) {
      if (!isBrokenCircuitError(error)) throw error;
    }
    openLatencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  openLatencies.sort((a, b) => a - b);
  const breakerOpen = { p50Ms: quantile(openLatencies, 0.5), p99Ms: quantile(openLatencies, 0.99) };

  const callPath = await measureCallPath(realTracer, noopTracer);

  await shutdown();
  await loop.stop();

  const vsBare = results.sdk!.p50Ms / results.bare!.p50Ms;
  const vsCockatiel = results.sdk!.p50Ms / results.cockatiel!.p50Ms;
  const report = {
    // Figures from a shared machine are only comparable within one run.
    machine: { cpus: availableParallelism(), loadAverage1m: loadavg()[0] },
    calls: { warmup: WARMUP, perRound: CALLS_PER_ROUND, rounds, throughputMs: THROUGHPUT_MS, concurrency: CONCURRENCY },
    ...results,
    breakerOpen,
    callPath,
    ratios: {
      sdkVsBareP50: vsBare,
      sdkVsCockatielP50: vsCockatiel,
      cockatielVsBareP50: results.cockatiel!.p50Ms / results.bare!.p50Ms,
      opossumVsBareP50: results.opossum!.p50Ms / results.bare!.p50Ms,
      headersAndSignalVsBareP50: results.headersAndSignal!.p50Ms / results.bare!.p50Ms,
      sdkWithoutTracingVsBareP50: results.sdkWithoutTracing!.p50Ms / results.bare!.p50Ms,
    },
    targets: { sdkVsBareP50Max: 1.1, breakerOpenP99MsMax: 1 },
  };
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log('variant             p50 ms   p99 ms   req/s');
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(18)} ${r.p50Ms.toFixed(3).padStart(7)}  ${r.p99Ms.toFixed(3).padStart(7)}  ${r.throughputRps.toFixed(0).padStart(6)}`);
  }
  console.log(
    `sdk call path without network (mean us/call): traced ${callPath.tracedUs.toFixed(2)}, untraced ${callPath.untracedUs.toFixed(2)}, abort controller + timer alone ${callPath.abortControllerAndTimerUs.toFixed(2)}`,
  );
  console.log(`breaker open fast-fail: p50 ${breakerOpen.p50Ms.toFixed(4)} ms, p99 ${breakerOpen.p99Ms.toFixed(4)} ms`);
  console.log(`sdk overhead p50: ${vsBare.toFixed(2)}x bare fetch, ${vsCockatiel.toFixed(2)}x cockatiel`);
}

await main();
