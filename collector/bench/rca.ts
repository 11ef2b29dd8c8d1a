// Root-cause accuracy benchmark. Every labelled case of the datasets (every folder with a
// cases.json under ../shared/datasets, or $FAULTLINE_DATASETS) is loaded into a fresh
// in-memory store, the collector is asked for its root causes exactly as GET /api/root-causes
// would be, and the label is looked up among the top 5 services of the incident around the
// injection. The naive self-time z-score baseline and random order are scored on the same
// cases. Writes bench/results/rca.json at the workspace root; the last line of output is
// `rca accuracy AC@1=X AC@3=Y over N cases`.
//
// With --fixtures N it also scores N own-fixture cases (the official-OpenTelemetry shop of
// test/rca/otelShop.ts, one fault each), generated once (~40 s each) into bench/.cache.
//
//   tsx bench/rca.ts [--only <case-substring or fault type>] [--verbose] [--fixtures N] [--refresh-fixtures]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rootCauses } from '../src/api/rootCauses.js';
import type { SpanRecord } from '../src/model.js';
import { openStore, type TimeRange, type TraceStore } from '../src/store/index.js';
import { findDatasets, loadCaseSpans, type Dataset, type RcaCase } from './rca/datasets.js';
import { naiveBaseline } from './rca/naiveBaseline.js';
import { ownFixtures } from './rca/ownFixtures.js';
import { accuracy, type Accuracy, K_MAX, pickIncident, randomAccuracy, rankOf, round, roundAccuracy } from './rca/scoring.js';

const here = dirname(fileURLToPath(import.meta.url));
const workspace = resolve(here, '..', '..');
const resultsFile = join(workspace, 'bench', 'results', 'rca.json');
/** Own-fixture cases (gitignored), reused across runs. */
const fixtureCacheDir = join(here, '.cache', 'rca-fixtures');

/** What the benchmark needs of one answer. */
interface RankedIncident {
  startMs: number;
  endMs: number;
  /** Services best first, as the answer ranks its causes (repeats allowed). */
  services: string[];
  labels: string[];
}

/**
 * The one place that asks the collector: the function behind GET /api/root-causes. Change
 * this adapter when that API changes.
 */
async function askCollector(store: TraceStore, range: TimeRange): Promise<RankedIncident[]> {
  const answer = await rootCauses(store, range);
  return answer.incidents.map((i) => ({
    startMs: i.startMs,
    endMs: i.endMs,
    services: i.rootCauses.map((r) => r.service),
    labels: i.rootCauses.map((r) => `${r.service} ${r.operation} ${r.score.toFixed(2)} [${r.path.join('→')}] ${r.reason}`),
  }));
}

/** A fresh store holding the case's spans, as if they had just arrived. */
async function storeWith(spans: readonly SpanRecord[], c: RcaCase): Promise<TraceStore> {
  const store = await openStore({ dbPath: ':memory:', databaseUrl: null });
  const nowMs = c.dataToMs + 60_000; // every pending caller→callee pairing is due
  for (let i = 0; i < spans.length; i += 5_000) await store.insertSpans(spans.slice(i, i + 5_000), nowMs);
  await store.resolvePendingEdges(nowMs);
  return store;
}

interface CaseResult {
  dataset: string;
  case: string;
  faultType: string;
  rootService: string;
  rank: number | null;
  naiveRank: number | null;
  services: number;
  incidents: number;
  /** Start of the chosen incident relative to the injection, s (null: no incident). */
  incidentStartS: number | null;
  queryMs: number;
  top5: string[];
  naiveTop5: string[];
  /** The collector's answer threw (counted as a miss). */
  error: string | null;
  /** Incidents reported on the same case cut at the injection (fault-free traffic: should be 0). */
  faultFreeIncidents: number;
}

async function runCase(dataset: Dataset, c: RcaCase, verbose: boolean): Promise<CaseResult> {
  const spans = loadCaseSpans(dataset, c);
  const store = await storeWith(spans, c);
  let incidents: RankedIncident[] = [];
  let error: string | null = null;
  const t0 = performance.now();
  try {
    incidents = await askCollector(store, { fromMs: c.fromMs, toMs: c.toMs });
  } catch (e) {
    error = (e as Error).stack ?? String(e); // counted as a miss, shown, never hidden
  } finally {
    await store.close();
  }
  const queryMs = performance.now() - t0;
  // The traces that ended before the injection hold no fault: whatever opens there is a false alarm.
  const endMs = new Map<string, number>();
  for (const s of spans) endMs.set(s.traceId, Math.max(endMs.get(s.traceId) ?? -Infinity, s.startMs + s.durationMs));
  const before = spans.filter((s) => endMs.get(s.traceId)! < c.injectMs);
  const calmStore = await storeWith(before, c);
  let faultFreeIncidents = 0;
  try {
    faultFreeIncidents = (await askCollector(calmStore, { fromMs: c.fromMs, toMs: c.injectMs })).length;
  } finally {
    await calmStore.close();
  }
  const chosen = pickIncident(incidents, c.injectMs);
  const ranked = chosen ? [...new Set(chosen.services)] : [];
  const naive = naiveBaseline(spans, { splitMs: c.injectMs });
  const result: CaseResult = {
    dataset: dataset.name,
    case: c.case,
    faultType: c.faultType,
    rootService: c.rootService,
    rank: rankOf(ranked, c.rootService),
    naiveRank: rankOf(naive.map((n) => n.service), c.rootService),
    services: new Set(spans.map((s) => s.service)).size,
    incidents: incidents.length,
    incidentStartS: chosen ? round((chosen.startMs - c.injectMs) / 1000, 1) : null,
    queryMs: round(queryMs, 1),
    top5: ranked.slice(0, K_MAX),
    naiveTop5: naive.slice(0, K_MAX).map((n) => n.service),
    error: error?.split('\n')[0] ?? null,
    faultFreeIncidents,
  };
  const r = (x: number | null) => (x === null ? '-' : String(x));
  process.stderr.write(
    `rca ${dataset.name}/${c.case} ${c.faultType} label=${c.rootService} rank=${r(result.rank)} naive=${r(result.naiveRank)} ` +
      `incidents=${incidents.length} start=${result.incidentStartS === null ? 'none' : `${result.incidentStartS}s`} ${result.queryMs}ms` +
      `${faultFreeIncidents ? ` FALSE ALARM: ${faultFreeIncidents} incident(s) before the fault` : ''}\n`,
  );
  if (error) process.stderr.write(`    collector failed: ${verbose ? error : result.error}\n`);
  if (verbose) {
    const labels = chosen ? [...new Map(chosen.services.map((s, i) => [s, chosen.labels[i]!])).values()] : [];
    for (const [i, l] of labels.slice(0, K_MAX).entries()) process.stderr.write(`    ${i + 1}. ${l}\n`);
    for (const [i, n] of naive.slice(0, K_MAX).entries()) process.stderr.write(`    naive ${i + 1}. ${n.service} z=${n.z.toFixed(1)} ${n.operation}\n`);
  }
  return result;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) out.set(key(t), [...(out.get(key(t)) ?? []), t]);
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

interface Scores {
  collector: Accuracy;
  naiveBaseline: Accuracy;
  random: Accuracy;
}

function scores(results: readonly CaseResult[]): Scores {
  const strip = (a: Accuracy) => {
    const { acAt: _acAt, ...rest } = roundAccuracy(a);
    return rest as Accuracy;
  };
  return {
    collector: strip(accuracy(results.map((r) => r.rank))),
    naiveBaseline: strip(accuracy(results.map((r) => r.naiveRank))),
    random: strip(randomAccuracy(results.map((r) => r.services))),
  };
}

function table(title: string, groups: [string, Scores][]): string[] {
  const lines = [title];
  lines.push(`  ${'group'.padEnd(22)} ${'n'.padStart(3)}   collector AC@1 AC@3 Avg@5   naive AC@1 AC@3 Avg@5   random AC@1 AC@3`);
  const f = (x: number) => x.toFixed(2).padStart(4);
  for (const [name, s] of groups) {
    lines.push(
      `  ${name.padEnd(22)} ${String(s.collector.cases).padStart(3)}             ${f(s.collector.ac1)} ${f(s.collector.ac3)}  ${f(s.collector.avg5)}` +
        `         ${f(s.naiveBaseline.ac1)} ${f(s.naiveBaseline.ac3)}  ${f(s.naiveBaseline.avg5)}          ${f(s.random.ac1)} ${f(s.random.ac3)}`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      fixtures: { type: 'string', default: process.env.FAULTLINE_RCA_FIXTURES ?? '0' },
      'refresh-fixtures': { type: 'boolean', default: false },
    },
  });
  const load1mAtStart = round(loadavg()[0]!, 2);
  const datasetsRoot = process.env.FAULTLINE_DATASETS ?? resolve(workspace, '..', 'shared', 'datasets');
  const datasets = findDatasets(datasetsRoot);
  const results: CaseResult[] = [];
  let skipped: string | null = null;
  const fixtureCount = Number(values.fixtures);
  if (!Number.isInteger(fixtureCount) || fixtureCount < 0) throw new Error(`--fixtures must be a whole number, got ${values.fixtures}`);
  if (datasets.length === 0 && fixtureCount > 0) console.log(`rca: no shared dataset (folder with cases.json) under ${datasetsRoot}; own fixtures only`);
  if (fixtureCount > 0) {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    datasets.push(await ownFixtures(fixtureCacheDir, fixtureCount, { refresh: values['refresh-fixtures'], only: values.only, log }));
  }
  if (datasets.length === 0) skipped = `no dataset (folder with cases.json) under ${datasetsRoot} and no own fixtures (--fixtures N)`;
  for (const dataset of datasets) {
    for (const c of dataset.cases) {
      if (values.only && !`${dataset.name}/${c.case}`.includes(values.only) && c.faultType !== values.only) continue;
      results.push(await runCase(dataset, c, values.verbose));
    }
  }
  if (!skipped && results.length === 0) skipped = `no case matches --only ${values.only}`;
  const overall = scores(results);
  const byFaultType = Object.fromEntries([...groupBy(results, (r) => r.faultType)].map(([k, v]) => [k, scores(v)]));
  const byDataset = Object.fromEntries([...groupBy(results, (r) => r.dataset)].map(([k, v]) => [k, scores(v)]));
  const queryMs = results.map((r) => r.queryMs).sort((a, b) => a - b);
  const at = (q: number) => (queryMs.length ? queryMs[Math.min(queryMs.length - 1, Math.ceil(q * queryMs.length) - 1)]! : 0);
  const machine = { cpus: cpus().length, loadAverage1mAtStart: load1mAtStart, loadAverage1mAtEnd: round(loadavg()[0]!, 2) };
  const casesWithIncident = results.filter((r) => r.incidentStartS !== null).length;
  const falseAlarmCases = results.filter((r) => r.faultFreeIncidents > 0).length;
  const summary = skipped
    ? [`rca benchmark skipped: ${skipped}`]
    : [
        ...table('rca accuracy by fault type', Object.entries(byFaultType)),
        ...table('rca accuracy by dataset', Object.entries(byDataset)),
        ...table('rca accuracy overall', [['all', overall]]),
        ...(results.some((r) => r.error) ? [`collector failed on ${results.filter((r) => r.error).length} cases (counted as misses)`] : []),
        `false alarms: incidents on the traffic before the fault in ${falseAlarmCases} of ${results.length} cases`,
        `incidents found for ${casesWithIncident} of ${results.length} cases; query p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`,
        `machine load average (1 min): ${load1mAtStart} → ${machine.loadAverage1mAtEnd} on ${machine.cpus} cores`,
      ];
  const last = `rca accuracy AC@1=${overall.collector.ac1.toFixed(2)} AC@3=${overall.collector.ac3.toFixed(2)} over ${results.length} cases`;
  const out = {
    ...overall,
    cases: results.length,
    casesWithIncident,
    falseAlarmCases,
    byFaultType,
    byDataset,
    queryMs: { p50: at(0.5), p95: at(0.95), max: at(1) },
    machine,
    datasetsDir: datasetsRoot,
    only: values.only ?? null,
    skipped,
    summary: [...summary, last],
    perCase: results,
  };
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(out, null, 2)}\n`);
  for (const line of summary) console.log(line);
  console.log(`wrote ${resultsFile}`);
  console.log(last);
}

await main();
