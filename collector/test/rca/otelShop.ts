// A realistic fixture for root-cause analysis: a small shop of express services, each its
// own process instrumented only with the official OpenTelemetry SDK (otelService.cjs),
// exporting OTLP to a collector (or any OTLP/HTTP receiver). Bounded load runs through the
// entry service: normal traffic first, then one fault in one service, whose start time is
// recorded. Service names are parameters, so tests and the bench can use unfamiliar ones.
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVICE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'otelService.cjs');

/** `error`: answers 500 (callers answer 502). `cpu-hog`: busy loop per request and in the background. `delay`: the handler waits. `hop-delay`: the hop into the service is slow (network-like). */
export type FaultKind = 'error' | 'cpu-hog' | 'delay' | 'hop-delay';

export interface ShopFault {
  service: string;
  kind: FaultKind;
  /** `delay`, `hop-delay`: added latency per request, ms. Default 150. */
  delayMs?: number;
  /** `cpu-hog`: busy time per request, ms. Default 15. */
  hogMs?: number;
  /** `cpu-hog`: share of each 50 ms the background hog keeps the process busy, 0–0.9. Default 0.4. */
  backgroundDuty?: number;
}

export interface ShopService {
  name: string;
  /** Services this one calls, in order, on every request. */
  calls?: string[];
  /** Express major version. Default 5. */
  express?: 4 | 5;
  /** How it calls downstream: global fetch (undici) or node:http. Default fetch. */
  client?: 'fetch' | 'http';
  /** Own work per request (a wait, no CPU), uniform in [min, max] ms. Default [2, 6]. */
  workMs?: [number, number];
}

export interface ShopOptions {
  /** Base URL of the OTLP/HTTP receiver (POST <url>/v1/traces). */
  otlpUrl: string;
  /** OTLP encoding of the exporters. Default 'proto'. */
  protocol?: 'proto' | 'json';
  /** The services; the first is the entry point. Default defaultShop(). */
  services?: ShopService[];
  fault?: ShopFault | null;
  /** Normal traffic before the fault, ms. Default 25,000. */
  normalMs?: number;
  /** Traffic with the fault on, ms. Default 20,000. */
  faultMs?: number;
  /** Entry requests per second. Default 15. */
  rps?: number;
  /** Entry requests in flight at most. Default 8. */
  inflightMax?: number;
  /** Service start-up bound, ms. Default 60,000. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ShopRun {
  services: string[];
  entry: string;
  fault: ShopFault | null;
  /** First measured request, epoch ms (after warm-up). */
  startMs: number;
  /** When the fault was switched on, epoch ms (null without a fault). */
  faultStartMs: number | null;
  endMs: number;
  requests: { normal: number; normalFailed: number; fault: number; faultFailed: number };
}

/** frontend → orders → (inventory, pricing), with the names given. */
export function defaultShop(names: { frontend?: string; orders?: string; inventory?: string; pricing?: string } = {}): ShopService[] {
  const n = { frontend: 'frontend', orders: 'orders', inventory: 'inventory', pricing: 'pricing', ...names };
  return [
    { name: n.frontend, calls: [n.orders], express: 5, client: 'fetch' },
    { name: n.orders, calls: [n.inventory, n.pricing], express: 4, client: 'http' },
    { name: n.inventory, express: 5 },
    { name: n.pricing, express: 4 },
  ];
}

interface Running {
  name: string;
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
}

function startService(service: ShopService, urls: Map<string, string>, options: ShopOptions): Promise<Running> {
  const f = options.fault?.service === service.name ? options.fault : null;
  const config = {
    name: service.name,
    otlpUrl: options.otlpUrl,
    protocol: options.protocol ?? 'proto',
    express: service.express ?? 5,
    client: service.client ?? 'fetch',
    workMs: service.workMs ?? [2, 6],
    calls: (service.calls ?? []).map((c) => ({ service: c, url: urls.get(c) })),
    fault: f && { kind: f.kind, delayMs: f.delayMs ?? 150, hogMs: f.hogMs ?? 15, backgroundDuty: f.backgroundDuty ?? 0.4 },
  };
  const env: NodeJS.ProcessEnv = { ...process.env, FIXTURE_SERVICE: JSON.stringify(config), OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'none' };
  delete env.NODE_OPTIONS; // vitest's loaders are not for the child
  const child = spawn(process.execPath, [SERVICE_SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return new Promise<Running>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${service.name} did not start in ${options.startTimeoutMs ?? 60_000} ms: ${stderr}`)), options.startTimeoutMs ?? 60_000);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /FIXTURE_READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ name: service.name, child, port: Number(m[1]), exited });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${service.name} exited (${code}) before it was ready: ${stderr}`));
    });
  });
}

/** GET url; resolves to the status, 0 on a connection error or after timeoutMs. */
function get(url: string, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

const ITEMS = ['sku-1', 'sku-2', 'sku-3', 'sku-4'];

/** Open-loop load at `rps` for `durationMs`, with at most `inflightMax` in flight (extra ticks are skipped). */
async function drive(url: string, rps: number, durationMs: number, inflightMax: number): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  let inflight = 0;
  const pending = new Set<Promise<void>>();
  const startMs = Date.now();
  for (let i = 0; ; i++) {
    const dueMs = startMs + (i * 1000) / rps;
    if (dueMs >= startMs + durationMs) break;
    const waitMs = dueMs - Date.now();
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    if (inflight >= inflightMax) continue;
    inflight++;
    sent++;
    const p = get(`${url}/api/${ITEMS[i % ITEMS.length]}`).then((status) => {
      if (status !== 200) failed++;
      inflight--;
      pending.delete(p);
    });
    pending.add(p);
  }
  await Promise.all(pending);
  return { sent, failed };
}

/** Sends SIGTERM (the services flush their spans), then SIGKILL after graceMs. By PID only. */
async function stopAll(running: readonly Running[], graceMs = 15_000): Promise<void> {
  await Promise.all(
    running.map(async (r) => {
      if (r.child.exitCode !== null || r.child.signalCode !== null) return;
      r.child.kill('SIGTERM');
      const timer = setTimeout(() => r.child.kill('SIGKILL'), graceMs);
      await r.exited;
      clearTimeout(timer);
    }),
  );
}

/**
 * Starts the shop, warms it up, drives normal load, switches the fault on, drives load, and
 * stops every service (their spans flushed to the receiver) before resolving.
 */
export async function runShop(options: ShopOptions): Promise<ShopRun> {
  const services = options.services ?? defaultShop();
  const log = options.log ?? (() => {});
  const fault = options.fault ?? null;
  if (fault && !services.some((s) => s.name === fault.service)) throw new Error(`fault in unknown service ${fault.service}`);
  const byName = new Map(services.map((s) => [s.name, s]));
  const urls = new Map<string, string>();
  const running: Running[] = [];
  const start = async (s: ShopService): Promise<void> => {
    if (urls.has(s.name)) return;
    for (const c of s.calls ?? []) await start(byName.get(c) ?? { name: c });
    const r = await startService(s, urls, options);
    running.push(r);
    urls.set(s.name, `http://127.0.0.1:${r.port}`);
  };
  try {
    await start(services[0]!);
    const entryUrl = urls.get(services[0]!.name)!;
    const warmUntilMs = Date.now() + (options.startTimeoutMs ?? 60_000);
    while ((await get(`${entryUrl}/api/warm-up`)) !== 200) {
      if (Date.now() > warmUntilMs) throw new Error('the shop never answered 200 during warm-up');
      await new Promise((r) => setTimeout(r, 200));
    }
    for (let i = 0; i < 5; i++) await get(`${entryUrl}/api/warm-up`);
    const rps = options.rps ?? 15;
    const inflightMax = options.inflightMax ?? 8;
    const startMs = Date.now();
    log(`shop ${services.map((s) => s.name).join(',')}: normal load for ${options.normalMs ?? 25_000} ms`);
    const normal = await drive(entryUrl, rps, options.normalMs ?? 25_000, inflightMax);
    let faultStartMs: number | null = null;
    if (fault) {
      const target = running.find((r) => r.name === fault.service)!;
      faultStartMs = Date.now();
      target.child.kill('SIGUSR2');
      log(`shop: ${fault.kind} in ${fault.service} from ${new Date(faultStartMs).toISOString()}`);
    }
    const faulty = await drive(entryUrl, rps, options.faultMs ?? 20_000, inflightMax);
    const endMs = Date.now();
    log(`shop: ${normal.sent} normal requests (${normal.failed} failed), ${faulty.sent} with the fault (${faulty.failed} failed)`);
    return {
      services: services.map((s) => s.name),
      entry: services[0]!.name,
      fault,
      startMs,
      faultStartMs,
      endMs,
      requests: { normal: normal.sent, normalFailed: normal.failed, fault: faulty.sent, faultFailed: faulty.failed },
    };
  } finally {
    await stopAll(running);
  }
}
