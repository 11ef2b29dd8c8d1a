import { randomBytes } from 'node:crypto';
import type { ServiceName } from '../lib/config.js';
import { deleteEventStream, describeBroker, resolveBroker, type BrokerChoice } from '../lib/broker.js';
import { startShop, type Shop } from '../lib/shop.js';
import { sleep } from '../lib/sleep.js';
import { findScenario, SCENARIOS } from './catalog.js';
import { FaultInjector, type FaultRecord } from './faults.js';
import { createFaultSpanRecorder } from './faultSpans.js';
import { checkInvariants, readSnapshot, unsettled } from './invariants.js';
import { percentileMs, runLoad, type RequestResult } from './load.js';
import { closeFaults, type ScenarioReport, type WindowStats } from './report.js';
import { playTimeline } from './timeline.js';
import { runMigrationScenario } from './migrationRunner.js';
import type { RunOptions } from './runOptions.js';

export type { RunOptions } from './runOptions.js';

/** Orders placed before the load (they count in `invariants.orders`, not in `requests`). */
export const WARMUP_ORDERS = 3;

export class UnknownScenarioError extends Error {
  constructor(name: string) {
    super(`unknown scenario "${name}"; one of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
}

function windowStats(results: RequestResult[]): WindowStats {
  const latencies = results.filter((r) => r.status !== -1).map((r) => r.latencyMs);
  return {
    requests: results.length,
    failed: results.filter((r) => r.status < 200 || r.status >= 300).length,
    p50Ms: percentileMs(latencies, 0.5),
    p99Ms: percentileMs(latencies, 0.99),
  };
}

async function serviceStats(shop: Shop, name: ServiceName): Promise<Record<string, unknown>> {
  try {
    const res = await fetch(`${shop.urls[name]}/__stats`, { signal: AbortSignal.timeout(3000) });
    return (await res.json()) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function chooseBroker(options: RunOptions): BrokerChoice {
  if (options.broker === 'rabbitmq' || (options.broker === undefined && options.amqpUrl)) {
    return resolveBroker({ DEMO_BROKER: 'rabbitmq', AMQP_URL: options.amqpUrl ?? process.env.AMQP_URL });
  }
  if (options.broker) return resolveBroker({ DEMO_BROKER: options.broker, NATS_URL: options.natsUrl || process.env.NATS_URL });
  // An explicit natsUrl ('' = HTTP) wins over the environment, as before DEMO_BROKER existed.
  if (options.natsUrl !== undefined) return options.natsUrl ? { broker: 'nats', natsUrl: options.natsUrl } : { broker: 'http' };
  return resolveBroker(process.env);
}

/**
 * Runs one named scenario end to end: shop up, open-loop load through the
 * gateway, faults on the timeline, settle, invariants from every service's
 * database, shop down. Always stops every process it started.
 */
export async function runScenario(options: RunOptions): Promise<ScenarioReport> {
  const def = findScenario(options.scenario);
  if (!def) throw new UnknownScenarioError(options.scenario);
  if (def.migration) return runMigrationScenario(def, options);
  const mode = options.mode ?? 'resilient';
  const durationMs = Math.round((options.durationS ?? 20) * 1000);
  const rps = options.rps ?? 10;
  const seed = options.seed ?? 1;
  const log = options.log ?? (() => undefined);
  const broker = chooseBroker(options);
  const runId = randomBytes(6).toString('hex');
  const eventStream = broker.broker === 'http' ? undefined : `SHOP_${runId.toUpperCase()}`;
  const namespace = options.namespace ?? `scenario-${def.name}-${runId}`;
  if (!(durationMs > 0) || !(rps > 0)) throw new Error('duration and rps must be positive');

  log(`starting the shop (${mode}, ${describeBroker(broker)}; spans marked service.namespace=${namespace})`);
  const shop = await startShop({
    mode,
    chaosEnabled: true,
    namespace,
    ...(options.otlpEndpoint ? { otlpEndpoint: options.otlpEndpoint } : {}),
    ...(broker.broker === 'nats' ? { broker: 'nats' as const, natsUrl: broker.natsUrl!, natsStream: eventStream! } : {}),
    ...(broker.broker === 'rabbitmq' ? { broker: 'rabbitmq' as const, amqpUrl: broker.amqpUrl!, natsStream: eventStream! } : {}),
    env: def.env?.(rps) ?? {},
    ...(options.onServiceLine ? { onLine: options.onServiceLine } : {}),
  });
  const recorder = createFaultSpanRecorder(options.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318');
  const injector = new FaultInjector(shop, recorder);
  try {
    // A few orders before the clock starts: the first calls into cold processes are slow
    // (JIT, connections) and would otherwise trip timeouts that have nothing to do with the fault.
    for (let i = 0; i < WARMUP_ORDERS; i++) {
      await fetch(`${shop.urls.gateway}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sku: 'sku-1', qty: 1 }),
        signal: AbortSignal.timeout(30_000),
      })
        .then((res) => res.arrayBuffer())
        .catch(() => undefined);
    }
    const startMs = Date.now();
    log(`load: ${rps} rps for ${durationMs / 1000} s through ${shop.urls.gateway}`);
    options.onStart?.(shop, injector, startMs, durationMs);
    const timeline = playTimeline(def, injector, durationMs, log);
    const spike: FaultRecord[] = [];
    const factor = def.rateFactor;
    if (factor) {
      // Record the spike window like a fault so dashboards and reports can line it up.
      const from = [...Array(100).keys()].find((i) => factor(i / 100) !== 1);
      const to = [...Array(100).keys()].reverse().find((i) => factor(i / 100) !== 1);
      if (from !== undefined && to !== undefined) {
        spike.push({ service: 'gateway', kind: 'spike', startMs: startMs + (from / 100) * durationMs, endMs: startMs + ((to + 1) / 100) * durationMs });
      }
    }
    const results = await runLoad({
      url: shop.urls.gateway,
      rps: (elapsedMs) => rps * (factor ? factor(elapsedMs / durationMs) : 1),
      durationMs,
      seed,
      timeoutMs: options.requestTimeoutMs ?? 20_000,
    });
    await timeline;
    await injector.endAll();
    log(`load done: ${results.length} requests; settling`);

    const settleStart = Date.now();
    const settleTimeoutMs = options.settleTimeoutMs ?? 45_000;
    let waiting = unsettled(shop.dbPaths, mode === 'resilient');
    while (waiting.length > 0 && Date.now() - settleStart < settleTimeoutMs) {
      await sleep(250);
      waiting = unsettled(shop.dbPaths, mode === 'resilient');
    }
    const settleMs = Date.now() - settleStart;
    if (waiting.length > 0) log(`not settled: ${waiting.join('; ')}`);

    const faultRecords = [...injector.log, ...spike];
    const focusStats = def.focus ? await serviceStats(shop, def.focus.service) : {};
    const ordersStats = await serviceStats(shop, 'orders');
    await shop.supervisor.stopAll();
    const invariants = checkInvariants(readSnapshot(shop.dbPaths));

    const endMs = Date.now();
    const faults = closeFaults(faultRecords, endMs);
    const windowFrom = Math.min(...faults.map((f) => f.startMs));
    const windowTo = Math.max(...faults.map((f) => f.endMs));
    const statuses: Record<string, number> = {};
    for (const r of results) statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
    const all = windowStats(results);
    const routes = (focusStats.routes ?? {}) as Record<string, number>;
    return {
      scenario: def.name,
      mode,
      seed,
      requests: all.requests,
      ok: all.requests - all.failed,
      failed: all.failed,
      p50Ms: all.p50Ms,
      p99Ms: all.p99Ms,
      faults,
      invariants,
      namespace,
      broker: broker.broker,
      statuses,
      duringFault: windowStats(faults.length ? results.filter((r) => r.scheduledMs >= windowFrom && r.scheduledMs <= windowTo) : []),
      // A restarted focus service lost its counters with its process: no honest ratio then.
      attemptsPerRequest:
        def.focus && results.length && !injector.log.some((f) => f.service === def.focus!.service && f.kind === 'down')
          ? (routes[def.focus.route] ?? 0) / results.length
          : null,
      focus: def.focus ? `${def.focus.service} ${def.focus.route}` : null,
      breakersOpened: (ordersStats.breakers ?? {}) as Record<string, number>,
      settled: waiting.length === 0,
      settleMs,
      durationMs,
      rps,
    };
  } finally {
    await injector.releasePorts().catch(() => undefined);
    await recorder.shutdown();
    await shop.close();
    if (eventStream) await deleteEventStream(broker, eventStream).catch(() => undefined);
  }
}
