import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { deleteEventStream, DEFAULT_NATS_URL } from '../lib/broker.js';
import { startCollectorProcess, type CollectorProcess } from '../lib/collector.js';
import { ALL_SERVICE_NAMES, type Mode } from '../lib/config.js';
import { startShop, type Shop } from '../lib/shop.js';
import { sleep } from '../lib/sleep.js';
import { collectorAnswers } from '../migration/collectorApi.js';
import { MigrationController } from '../migration/controller.js';
import { runSessionLoad, type SessionResult } from '../migration/sessionLoad.js';
import { checkReadModel, judgeSides, pendingEvents, readSides } from '../migration/sides.js';
import { runBigBang, runStrangler, type PlanOutcome } from '../migration/plans.js';
import { bucketOf, ROUTE_SPECS } from '../services/gateway/routing.js';
import type { ScenarioDefinition } from './catalog.js';
import { FaultInjector } from './faults.js';
import { createFaultSpanRecorder } from './faultSpans.js';
import { percentileMs } from './load.js';
import { closeFaults, type MigrationDetails, type ScenarioReport } from './report.js';
import type { RunOptions } from './runOptions.js';

/** Canary stages in scenarios: short, so a whole strangler migration stays within a couple of minutes. */
export const SCENARIO_STAGE_MS = 4000;
/**
 * Latency margins of the scenarios' canary. The extracted order flow makes four
 * network hops where the monolith makes none, and a loaded 2-core machine
 * stretches each: at the defaults (2x, +500 ms) the orders route was rolled back
 * for p99s of 2.4 s against 0.6 s under a load average of 25. The scenarios'
 * fault is caught by the error margin, which keeps its default.
 */
export const SCENARIO_THRESHOLDS = { p99Ratio: 4, p99SlackMs: 2000 };
/** Load kept on after a strangler migration completed. */
const AFTER_MIGRATION_MS = 5000;

async function ensureCollector(endpoint: string, log: (line: string) => void): Promise<{ url: string; started?: CollectorProcess; dir?: string }> {
  if (await collectorAnswers(endpoint)) {
    log(`canary reads the collector at ${endpoint}`);
    return { url: endpoint };
  }
  // The canary needs the collector's figures: without one at the endpoint, the run brings its own.
  const dir = mkdtempSync(join(tmpdir(), 'faultline-migration-collector-'));
  const started = await startCollectorProcess({ port: 0, dbPath: join(dir, 'faultline.db') });
  log(`no collector at ${endpoint}; started one at ${started.url} for this run`);
  return { url: started.url, started, dir };
}

function rate(results: SessionResult[], w: { fromMs: number; toMs: number }): { requests: number; failed: number; errorRate: number } {
  const inside = results.filter((r) => r.scheduledMs >= w.fromMs && r.scheduledMs < w.toMs && r.status !== -1);
  const failed = inside.filter((r) => r.status < 200 || r.status >= 300).length;
  return { requests: inside.length, failed, errorRate: inside.length ? failed / inside.length : 0 };
}

/**
 * What users saw in the window. The bound is structural: a fault on one
 * route's new side can only reach requests whose order id falls in the
 * buckets that route sent there (`bucketOf(id) < weight`), so it is those
 * requests' share of all requests in the window.
 */
function userErrors(results: SessionResult[], w: PlanOutcome['userWindow']): MigrationDetails['userErrors'] {
  const inside = results.filter((r) => r.scheduledMs >= w.fromMs && r.scheduledMs <= w.toMs && r.status !== -1);
  const failed = inside.filter((r) => r.status < 200 || r.status >= 300).length;
  const exposed = w.route === null ? null : inside.filter((r) => r.route === w.route && r.orderId !== undefined && bucketOf(r.orderId) < w.weightPct!).length;
  return {
    fromMs: w.fromMs,
    toMs: w.toMs,
    requests: inside.length,
    failed,
    errorRate: inside.length ? failed / inside.length : 0,
    boundErrorRate: exposed === null ? null : inside.length ? exposed / inside.length : 0,
  };
}

/**
 * A migration scenario end to end: the monolith, the six services and the
 * order-history view behind the strangler gateway (every route on the
 * monolith), customer sessions through the gateway, the plan (big bang or
 * strangler with canary stages), settle, invariants from both sides'
 * databases, the read model against the write side.
 */
export async function runMigrationScenario(def: ScenarioDefinition, options: RunOptions): Promise<ScenarioReport> {
  const mode: Mode = options.mode ?? 'resilient';
  const rps = options.rps ?? 10;
  const seed = options.seed ?? 1;
  const durationMs = Math.round((options.durationS ?? 20) * 1000);
  const log = options.log ?? (() => undefined);
  const runId = randomBytes(6).toString('hex');
  const namespace = options.namespace ?? `scenario-${def.name}-${runId}`;
  // The data sync needs several independent durable consumers of one stream: JetStream.
  const natsUrl = options.natsUrl || process.env.NATS_URL || DEFAULT_NATS_URL;
  const stream = `SHOP_${runId.toUpperCase()}`;
  const collector = await ensureCollector(options.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318', log);
  let shop: Shop | undefined;
  const recorder = createFaultSpanRecorder(collector.url);
  let injector: FaultInjector | undefined;
  try {
    log(`starting the monolith, the services and the read model (${mode}, events over NATS JetStream at ${natsUrl}; spans marked service.namespace=${namespace})`);
    shop = await startShop({
      mode,
      services: ALL_SERVICE_NAMES,
      chaosEnabled: true,
      namespace,
      otlpEndpoint: collector.url,
      broker: 'nats',
      natsUrl,
      natsStream: stream,
      env: { STRANGLER: '1', ...(def.env?.(rps) ?? {}) },
      ...(options.onServiceLine ? { onLine: options.onServiceLine } : {}),
    });
    injector = new FaultInjector(shop, recorder);
    // Warm-up orders on both sides (through the gateway to the monolith, and straight into the
    // services' saga): cold processes answer their first calls slowly, and a canary must not
    // judge a side by its first request after start.
    for (const url of [shop.urls.gateway, shop.urls.gateway, shop.urls.gateway, shop.urls.orders, shop.urls.orders, shop.urls.orders]) {
      await fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'sku-1', qty: 1 }), signal: AbortSignal.timeout(30_000) })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
    }
    const startMs = Date.now();
    const controller = new MigrationController(
      { gatewayUrl: shop.urls.gateway, collectorUrl: collector.url, log, sinceMs: startMs, namespace },
      { stageMs: SCENARIO_STAGE_MS, thresholds: SCENARIO_THRESHOLDS },
    );
    const stopLoad = new AbortController();
    log(`load: ${rps} customer sessions per second (an order, then a read on every route) through ${shop.urls.gateway}`);
    const load = runSessionLoad({ url: shop.urls.gateway, rps, seed, timeoutMs: options.requestTimeoutMs ?? 20_000 }, stopLoad.signal);
    let plan: PlanOutcome;
    try {
      plan =
        def.migration === 'big-bang'
          ? await runBigBang({ def, shop, injector, controller, durationMs, mode, log })
          : await runStrangler({ shop, injector, controller, log });
      // The finished architecture serves a while before the run ends, so its figures show too.
      await sleep(plan.monolithRunning ? AFTER_MIGRATION_MS : 0);
    } finally {
      stopLoad.abort();
    }
    const results = await load;
    await injector.endAll();
    log(`load done: ${results.length} requests; settling`);

    const resilient = mode === 'resilient';
    const requireBothSides = resilient && plan.monolithRunning;
    const settleStart = Date.now();
    const settleTimeoutMs = options.settleTimeoutMs ?? 45_000;
    const servicePaths = ['orders', 'payments', 'inventory', 'shipping'].map((n) => shop!.dbPaths[n as 'orders']);
    const outboxes = plan.monolithRunning ? [...servicePaths, shop.dbPaths.monolith] : servicePaths;
    const waiting = (): string[] => {
      const sides = judgeSides(readSides(shop!.dbPaths), requireBothSides);
      const w: string[] = [];
      if (sides.invariants.pending > 0) w.push(`${sides.invariants.pending} orders not finished`);
      if (!resilient) return w;
      const queued = pendingEvents(outboxes);
      if (queued > 0) w.push(`${queued} events in outboxes`);
      if (sides.sidesDisagree > 0) w.push(`${sides.sidesDisagree} orders not yet the same on both sides`);
      const rm = checkReadModel(shop!.dbPaths.history, sides.writeSide);
      if (!rm.converged) w.push(`${rm.mismatched} orders not yet in the read model`);
      return w;
    };
    let left = waiting();
    while (left.length > 0 && Date.now() - settleStart < settleTimeoutMs) {
      await sleep(250);
      left = waiting();
    }
    const settleMs = Date.now() - settleStart;
    if (left.length > 0) log(`not settled: ${left.join('; ')}`);
    const finalWeights = await controller.weights().catch(() => ({}) as Record<string, number>);
    await shop.supervisor.stopAll();

    const sides = judgeSides(readSides(shop.dbPaths), requireBothSides);
    const readModel = checkReadModel(shop.dbPaths.history, sides.writeSide);
    const endMs = Date.now();
    const faults = closeFaults(injector.log, endMs);
    const latencies = results.filter((r) => r.status !== -1).map((r) => r.latencyMs);
    const failed = results.filter((r) => r.status < 200 || r.status >= 300).length;
    const statuses: Record<string, number> = {};
    for (const r of results) statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
    const routes: MigrationDetails['routes'] = {};
    for (const spec of ROUTE_SPECS) routes[spec.name] = { requests: 0, failed: 0, monolith: 0, services: 0 };
    for (const r of results) {
      const row = routes[r.route]!;
      row.requests += 1;
      if (r.status < 200 || r.status >= 300) row.failed += 1;
      if (r.servedBy) row[r.servedBy] += 1;
    }
    const placed = results.filter((r) => r.route === 'orders' && r.method === 'POST');
    const windowFrom = faults.length ? Math.min(...faults.map((f) => f.startMs)) : 0;
    const windowTo = faults.length ? Math.max(...faults.map((f) => f.endMs)) : 0;
    const during = results.filter((r) => faults.length > 0 && r.scheduledMs >= windowFrom && r.scheduledMs <= windowTo && r.status !== -1);
    const settings = controller.settings;
    return {
      scenario: def.name,
      mode,
      seed,
      requests: results.length,
      ok: results.length - failed,
      failed,
      p50Ms: percentileMs(latencies, 0.5),
      p99Ms: percentileMs(latencies, 0.99),
      faults,
      invariants: sides.invariants,
      namespace,
      broker: 'nats',
      statuses,
      duringFault: {
        requests: during.length,
        failed: during.filter((r) => r.status < 200 || r.status >= 300).length,
        p50Ms: percentileMs(during.map((r) => r.latencyMs), 0.5),
        p99Ms: percentileMs(during.map((r) => r.latencyMs), 0.99),
      },
      attemptsPerRequest: null,
      focus: null,
      breakersOpened: {},
      settled: left.length === 0,
      settleMs,
      durationMs: endMs - startMs,
      rps,
      migration: {
        steps: controller.steps.map((s) => ({ route: s.route, fromWeight: s.fromWeight, toWeight: s.toWeight, atMs: s.atMs, outcome: s.outcome })),
        rollbacks: controller.rollbacks,
        completed: ROUTE_SPECS.every((r) => finalWeights[r.name] === 100),
        servedBy: {
          monolith: placed.filter((r) => r.servedBy === 'monolith').length,
          services: placed.filter((r) => r.servedBy === 'services').length,
        },
      },
      readModel,
      migrationDetails: {
        rollbackReasons: controller.rollbackReasons,
        canary: { stagesPct: settings.stagesPct, stageMs: settings.stageMs, ...settings.thresholds },
        routes,
        userErrors: userErrors(results, plan.userWindow),
        beforeMigration: plan.beforeWindow ? rate(results, plan.beforeWindow) : null,
        stuckOrdersMax: plan.stuckOrdersMax ?? null,
        sidesDisagree: sides.sidesDisagree,
        collector: { url: collector.url, started: collector.started !== undefined, annotationFailures: controller.annotationFailures },
        finalWeights,
      },
    };
  } finally {
    await injector?.releasePorts().catch(() => undefined);
    await recorder.shutdown();
    await shop?.close();
    await deleteEventStream({ broker: 'nats', natsUrl }, stream).catch(() => undefined);
    await collector.started?.stop().catch(() => undefined);
    if (collector.dir) rmSync(collector.dir, { recursive: true, force: true });
  }
}
