// `pnpm demo`: the collector (dashboard included), the whole shop with steady
// load, and the control server for the dashboard's chaos panel. Ctrl-C stops
// every child process.
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { startCollectorProcess, type CollectorProcess } from './lib/collector.js';
import { ALL_SERVICE_NAMES, parseMode } from './lib/config.js';
import { DEFAULT_NATS_URL, describeBroker, resolveBroker } from './lib/broker.js';
import { MigrationController } from './migration/controller.js';
import { liveMigration, type MigrationControl } from './control/migrationRoutes.js';
import { ROUTE_SPECS } from './services/gateway/routing.js';
import { startShop, type Shop } from './lib/shop.js';
import { startControlServer } from './control/server.js';
import { DemoScenarios } from './control/session.js';
import { createFaultSpanRecorder, type FaultRecorder } from './scenarios/faultSpans.js';
import { SteadyLoad } from './control/steadyLoad.js';

function intEnv(key: string, fallback: number): number {
  const raw = process.env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${key} must be an integer port/number, got ${raw}`);
    process.exit(2);
  }
  return value;
}

const collectorPort = intEnv('FAULTLINE_PORT', 4318);
const controlPort = intEnv('FAULTLINE_CONTROL_PORT', 4320);
const gatewayPort = intEnv('GATEWAY_PORT', 8080);
// OTLP/gRPC as the READMEs promise (4317); FAULTLINE_GRPC_PORT=0 turns it off.
const grpcPort = intEnv('FAULTLINE_GRPC_PORT', 4317);
const rps = Number(process.env.DEMO_RPS || '2');
if (!(rps > 0 && rps <= 1000)) {
  console.error(`DEMO_RPS must be a number in (0, 1000], got ${process.env.DEMO_RPS}`);
  process.exit(2);
}
// `migration`: the monolith behind the strangler gateway (every route on the monolith), services resilient.
const migrationMode = process.env.DEMO_MODE === 'migration';
const mode = (() => {
  try {
    return migrationMode ? 'resilient' : parseMode(process.env.DEMO_MODE);
  } catch (e) {
    console.error(`demo: DEMO_MODE must be resilient, naive or migration, got ${process.env.DEMO_MODE}`);
    return process.exit(2);
  }
})();
const broker = (() => {
  try {
    const chosen = resolveBroker(process.env);
    // The migration's data sync needs independent durable consumers of one stream: JetStream.
    if (migrationMode && chosen.broker !== 'nats') return { broker: 'nats' as const, natsUrl: process.env.NATS_URL || DEFAULT_NATS_URL };
    return chosen;
  } catch (e) {
    console.error(`demo: ${(e as Error).message}`);
    return process.exit(2);
  }
})();
const dataDir = resolve(process.env.DEMO_DATA_DIR ?? '.data/demo');
const log = (line: string): void => console.log(`[demo] ${line}`);

let collector: CollectorProcess | undefined;
let shop: Shop | undefined;
let load: SteadyLoad | undefined;
let scenarios: DemoScenarios | undefined;
let faultSpans: FaultRecorder | undefined;
let control: { close(): Promise<void> } | undefined;
let report: NodeJS.Timeout | undefined;
let stopping = false;

/** Names the port, what uses it and the variable that moves it, before anything starts. */
async function checkPortsFree(): Promise<void> {
  const wanted: [number, string, string][] = [
    [collectorPort, 'the collector (OTLP/HTTP, API, dashboard)', 'FAULTLINE_PORT'],
    [controlPort, 'the control server', 'FAULTLINE_CONTROL_PORT'],
    [gatewayPort, 'the shop gateway', 'GATEWAY_PORT'],
    ...(grpcPort ? [[grpcPort, 'the collector\'s OTLP/gRPC', 'FAULTLINE_GRPC_PORT (0 turns gRPC off)'] as [number, string, string]] : []),
  ];
  for (const [port, what, env] of wanted) {
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const server = createServer();
      server.once('error', (e: NodeJS.ErrnoException) => resolve(e));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(undefined)));
    });
    if (error?.code === 'EADDRINUSE' || error?.code === 'EACCES') {
      console.error(`demo: port ${port} for ${what} is ${error.code === 'EACCES' ? 'not allowed' : 'already in use'}; choose another with ${env}=<port>`);
      process.exit(2);
    }
  }
}

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping…');
    if (report) clearInterval(report);
    load?.stop();
    await scenarios?.abandon().catch(() => undefined);
    await faultSpans?.shutdown();
    await control?.close().catch(() => undefined);
    await shop?.close().catch(() => undefined);
    await collector?.stop().catch(() => undefined);
    log('stopped');
  }
  process.exit(code);
}
// Ctrl-C reaches this process twice (the terminal's process group, then pnpm relaying it):
// the copy that follows within a second is the same Ctrl-C; a later one gives up waiting.
let firstSignalMs = 0;
function onSignal(): void {
  if (!firstSignalMs) {
    firstSignalMs = Date.now();
    void stop(0);
  } else if (Date.now() - firstSignalMs > 1000) {
    process.exit(1);
  }
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

await checkPortsFree();

try {
  // Fresh shop databases each run; the collector's file is kept unless FAULTLINE_DB says otherwise.
  rmSync(join(dataDir, 'shop'), { recursive: true, force: true });
  mkdirSync(join(dataDir, 'shop'), { recursive: true });
  const controlUrl = `http://127.0.0.1:${controlPort}`;
  log(`starting the collector on port ${collectorPort}`);
  collector = await startCollectorProcess({
    port: collectorPort,
    grpcPort,
    dbPath: process.env.FAULTLINE_DB ?? join(dataDir, 'faultline.db'),
    controlUrl,
    onLine: (line) => console.log(`[collector] ${line}`),
  });
  log(`starting the shop (${migrationMode ? 'migration: monolith behind the strangler gateway' : mode}, ${describeBroker(broker)}) with the gateway on port ${gatewayPort}`);
  shop = await startShop({
    mode,
    ...(migrationMode ? { services: ALL_SERVICE_NAMES } : {}),
    ports: { gateway: gatewayPort },
    dataDir: join(dataDir, 'shop'),
    otlpEndpoint: collector.url,
    chaosEnabled: true,
    // Twice the steady load: the traffic-spike scenario (6x) then gets shed with 429.
    env: { RATE_LIMIT_RPS: String(Math.max(5, Math.round(rps * 2))), ...(migrationMode ? { STRANGLER: '1' } : {}) },
    ...(broker.broker === 'nats' ? { broker: 'nats' as const, natsUrl: broker.natsUrl!, natsStream: 'SHOP_DEMO' } : {}),
    ...(broker.broker === 'rabbitmq' ? { broker: 'rabbitmq' as const, amqpUrl: broker.amqpUrl!, natsStream: 'SHOP_DEMO' } : {}),
    onLine: (service, line) => {
      if (!line.includes('listening on')) console.log(`[${service}] ${line}`);
    },
  });
  // In migration mode every order is also read through each route, so each route's canary has traffic.
  load = new SteadyLoad(shop.urls.gateway, rps, 1000, 15_000, migrationMode ? ROUTE_SPECS.filter((r) => r.name !== 'orders').map((r) => r.prefix) : []);
  faultSpans = createFaultSpanRecorder(collector.url);
  scenarios = new DemoScenarios(shop, load, log, faultSpans);
  const dashboardOrigins = [collector.url, collector.url.replace('127.0.0.1', 'localhost')];
  let migration: MigrationControl | undefined;
  if (migrationMode) {
    const stageMs = Number(process.env.MIGRATION_STAGE_MS || 30_000);
    if (!Number.isInteger(stageMs) || stageMs < 500 || stageMs > 600_000) throw new Error(`MIGRATION_STAGE_MS must be an integer between 500 and 600000, got ${process.env.MIGRATION_STAGE_MS}`);
    const controller = new MigrationController({ gatewayUrl: shop.urls.gateway, collectorUrl: collector.url, log: (line) => log(`migration: ${line}`) }, { stageMs });
    migration = liveMigration(controller, log);
  }
  control = await startControlServer({ port: controlPort, allowedOrigins: dashboardOrigins, target: scenarios, ...(migration ? { migration } : {}) });
  load.start();
  const activeLoad = load;
  report = setInterval(() => {
    const counts = activeLoad.drain();
    log(`last 10 s: ${Object.entries(counts).map(([k, v]) => `${k}×${v}`).join(' ') || 'no answers'}`);
  }, 10_000);
  console.log('');
  console.log(`  Dashboard:  ${collector.url}/`);
  console.log(`  OTLP:       ${collector.url}/v1/traces (HTTP)  ${grpcPort ? `127.0.0.1:${grpcPort} (gRPC)` : 'gRPC off (FAULTLINE_GRPC_PORT=0)'}`);
  console.log(`  Shop:       ${rps} orders/s of load, ${mode} mode, ${describeBroker(broker)}. Place one yourself:`);
  console.log(`              curl -s -X POST ${shop.urls.gateway}/orders -H 'content-type: application/json' -d '{"sku":"sku-1","qty":1}'`);
  console.log(`              curl -s ${shop.urls.gateway}/orders/<orderId from the answer>`);
  console.log(`  Control:    ${controlUrl}/scenarios  (start one: curl -X POST ${controlUrl}/scenarios/inventory-down/start)`);
  if (migrationMode) {
    console.log(`  Migration:  every route on the monolith. curl -s ${controlUrl}/migration`);
    console.log(`              curl -X POST ${controlUrl}/migration/routes/notifications/canary   (5 → 25 → 50 → 100 %, rolls back on its own)`);
  }
  console.log('  Ctrl-C stops everything.');
  console.log('');
} catch (err) {
  console.error(`demo failed to start: ${err instanceof Error ? err.message : String(err)}`);
  await stop(1);
}
