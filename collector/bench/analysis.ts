// Benchmark of the pure analysis functions: rankRootCauses over 20k-span
// incident samples (target: well under 50 ms), buildGraph and detectIncidents.
// Writes bench/results/analysis.json at the workspace root.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chain, generateTraces, type ServiceSpec } from '../src/analysis/fixtures/traceGenerator.js';
import {
  BUCKET_MS,
  buildGraph,
  callStats,
  detectIncidents,
  emptyStats,
  mergeStats,
  nodeContribution,
  rankRootCauses,
  type Stats,
} from '../src/analysis/index.js';
import type { SpanRecord } from '../src/model.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(resolve(here, '..', '..'), 'bench', 'results', 'analysis.json');

/**
 * Wall and CPU time per call. The machine may be shared, so CPU time (this
 * process's user + system time, GC included) is the steadier figure.
 */
function timeMs(fn: () => unknown, iterations: number) {
  for (let i = 0; i < 5; i++) fn(); // warm-up: JIT and caches
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    fn();
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  const at = (samples: number[], q: number) => {
    const sorted = [...samples].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! * 100) / 100;
  };
  return { p50Ms: at(wall, 0.5), p95Ms: at(wall, 0.95), cpuP50Ms: at(cpu, 0.5), cpuP95Ms: at(cpu, 0.95), iterations };
}

/** A shop-like tree: gateway → orders → (payments → bank, inventory, shipping), with retries. */
function shop(): ServiceSpec {
  return {
    service: 'gateway',
    selfMs: 3,
    calls: [
      {
        timeoutMs: 2000,
        to: {
          service: 'orders',
          selfMs: 5,
          calls: [
            { to: chain(['payments', 'bank']), retries: 2, timeoutMs: 500 },
            { to: { service: 'inventory', selfMs: 4 }, retries: 2, retryStyle: 'separate' },
            { to: { service: 'shipping', selfMs: 6 }, retries: 2, retryStyle: 'attempts' },
          ],
        },
      },
    ],
  };
}

/** About `targetSpans` spans in whole traces, as they come out of the OTLP decoder (plain objects, flat strings), in arrival order. */
function tracesFor(targetSpans: number, seed: number, faults: Record<string, object>, startMs: number): SpanRecord[] {
  const perTrace = generateTraces({ root: shop(), traces: 50, seed, faults }).length / 50;
  const spans = generateTraces({ root: shop(), traces: Math.round(targetSpans / perTrace), seed, faults, startMs, shuffle: true });
  return JSON.parse(JSON.stringify(spans)) as SpanRecord[];
}

export function runAnalysisBench(): Record<string, unknown> {
  const spanCount = 20_000;
  const baselineSpans = tracesFor(spanCount, 1, {}, 1_700_000_000_000);
  const cases = {
    leafErrors: { bank: { errorRate: 0.4 } },
    leafDown: { inventory: { down: true } },
    leafSlow: { bank: { extraLatencyMs: 800 } },
  };
  const rank: Record<string, unknown> = {};
  for (const [name, faults] of Object.entries(cases)) {
    const spans = tracesFor(spanCount, 2, faults, 1_700_000_600_000);
    const top = rankRootCauses({ spans, baselineSpans, entryServices: ['gateway'] })[0];
    // As a store returns them (ordered by trace) and in arrival order (the worst case for grouping).
    const byTrace = [...spans].sort((a, b) => (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
    const baselineByTrace = [...baselineSpans].sort((a, b) => (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
    rank[name] = {
      spans: spans.length,
      baselineSpans: baselineSpans.length,
      ...timeMs(() => rankRootCauses({ spans: byTrace, baselineSpans: baselineByTrace, entryServices: ['gateway'] }), 30),
      arrivalOrder: timeMs(() => rankRootCauses({ spans, baselineSpans, entryServices: ['gateway'] }), 30),
      noBaseline: timeMs(() => rankRootCauses({ spans: byTrace, baselineSpans: [], entryServices: ['gateway'] }), 30),
      topCause: top ? `${top.service} (${top.score})` : 'none',
    };
  }

  // Aggregates as the store would keep them: one node/edge stat per service per minute over an hour.
  const spans = tracesFor(spanCount, 3, { bank: { errorRate: 0.2 } }, 1_700_000_000_000);
  const nodes: { service: string; stats: Stats }[] = [];
  const edges: { source: string; target: string; stats: Stats }[] = [];
  for (let minute = 0; minute < 60; minute++) {
    for (const span of spans.slice(minute * 300, minute * 300 + 300)) {
      const node = nodeContribution(span);
      if (node) nodes.push({ service: node.service, stats: node.stats });
      if (span.kind === 'client') edges.push({ source: span.service, target: String(span.attributes['peer.service'] ?? '?'), stats: callStats(span) });
    }
  }
  const graph = timeMs(() => buildGraph({ nodes, edges, knownServices: new Set(nodes.map((n) => n.service)) }), 50);

  const series = ['gateway', 'admin', 'partner-api'].map((service, s) => ({
    service,
    points: Array.from({ length: 24 * 60 }, (_, i) => {
      const stats = emptyStats();
      const extra = emptyStats();
      extra.requests = 100;
      extra.errors = i % 200 === s * 7 ? 40 : 1;
      mergeStats(stats, extra);
      return { startMs: 1_700_000_000_000 + i * BUCKET_MS, stats };
    }),
  }));
  const incidents = timeMs(() => detectIncidents(series), 20);

  return {
    rankRootCauses: rank,
    buildGraph: { inputRows: nodes.length + edges.length, ...graph },
    detectIncidents: { series: series.length, pointsPerSeries: 24 * 60, ...incidents },
    node: process.version,
    // Wall times are only comparable at similar load: the figures were taken on a shared machine.
    machine: { cpus: cpus().length, loadAverage1m: Math.round(loadavg()[0]! * 100) / 100 },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = runAnalysisBench();
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
  type Timing = { p50Ms: number; p95Ms: number; cpuP50Ms: number };
  const r = result.rankRootCauses as Record<string, Timing & { spans: number; baselineSpans: number; topCause: string; arrivalOrder: Timing; noBaseline: Timing }>;
  for (const [name, v] of Object.entries(r)) {
    console.log(
      `analysis rankRootCauses ${name}: ${v.spans} + ${v.baselineSpans} baseline spans, wall p50 ${v.p50Ms} ms p95 ${v.p95Ms} ms, ` +
        `cpu p50 ${v.cpuP50Ms} ms (target < 50 ms; arrival order p50 ${v.arrivalOrder.p50Ms} ms, no baseline p50 ${v.noBaseline.p50Ms} ms), top cause ${v.topCause}`,
    );
  }
  const g = result.buildGraph as { inputRows: number; p95Ms: number };
  console.log(`analysis buildGraph: ${g.inputRows} aggregate rows p95 ${g.p95Ms} ms`);
  const d = result.detectIncidents as { p95Ms: number };
  console.log(`analysis detectIncidents: 3 × 1440 minutes p95 ${d.p95Ms} ms`);
  console.log(`wrote ${resultsFile}`);
}
