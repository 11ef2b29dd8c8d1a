// Real Prometheus and Alertmanager (Debian packages `prometheus`, `prometheus-alertmanager`)
// for tests: started on free loopback ports with a generated config and a temp data dir,
// stopped by PID. Absent binaries skip with a one-line reason unless REQUIRE_SERVICES=1.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

/** null when the binary is there; else the reason to skip (throws under REQUIRE_SERVICES=1). */
export function missingBinary(path: string, pkg: string): string | null {
  if (existsSync(path)) return null;
  const reason = `${path} not found (apt-get install -y ${pkg})`;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${reason}; required because REQUIRE_SERVICES=1`);
  return reason;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface SystemProcess {
  url: string;
  port: number;
  pid: number;
  output: () => string;
  /** SIGKILL by PID and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM by PID, then SIGKILL after 5 s; removes the data dir. */
  stop(): Promise<void>;
}

function launch(bin: string, args: string[], port: number, dataDir: string, readyPath: string, removeDir: boolean): Promise<SystemProcess> {
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));
  const url = `http://127.0.0.1:${port}`;
  const kill = async (signal: NodeJS.Signals) => {
    if (alive && child.pid) process.kill(child.pid, signal);
    await exited;
  };
  const proc: SystemProcess = {
    url,
    port,
    pid: child.pid!,
    output: () => out,
    kill: () => kill('SIGKILL'),
    stop: async () => {
      const timer = setTimeout(() => alive && child.pid && process.kill(child.pid, 'SIGKILL'), 5000);
      await kill('SIGTERM');
      clearTimeout(timer);
      if (removeDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return waitFor(`${bin} ready on ${url}`, async () => {
    if (!alive) throw new Error(`exited: ${out.slice(-2000)}`);
    const r = await fetch(`${url}${readyPath}`);
    return r.ok;
  }, 30_000).then(
    () => proc,
    async (e) => {
      await proc.stop();
      throw e;
    },
  );
}

/** Prometheus scraping `targetUrl`/metrics every `scrapeIntervalS`. */
export async function startPrometheus(targetUrl: string, options: { scrapeIntervalS?: number; token?: string } = {}): Promise<SystemProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-prom-'));
  const port = await freePort();
  const target = new URL(targetUrl);
  const interval = `${options.scrapeIntervalS ?? 1}s`;
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    '  - job_name: faultline',
    `    scrape_interval: ${interval}`,
    `    scrape_timeout: ${interval}`,
    '    metrics_path: /metrics',
    ...(options.token ? ['    authorization:', `      credentials: ${JSON.stringify(options.token)}`] : []),
    '    static_configs:',
    `      - targets: ['${target.host}']`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  return launch(
    PROMETHEUS_BIN,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    port,
    dir,
    '/-/ready',
    true,
  );
}

/** One instant query; returns the first sample's value, or null when the result is empty. */
export async function promQuery(prom: SystemProcess, query: string): Promise<number | null> {
  const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await r.json()) as { status: string; error?: string; data: { result: { value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`query ${query} failed: ${body.error}`);
  const first = body.data.result[0];
  return first ? Number(first.value[1]) : null;
}

export interface AlertmanagerOptions {
  /** Where Alertmanager's own webhook receiver posts notifications (to observe resolved alerts). */
  webhookUrl: string;
  /** Reuse a data dir and port (restart after a kill). */
  dataDir?: string;
  port?: number;
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<SystemProcess & { dataDir: string }> {
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'faultline-am-'));
  const port = options.port ?? (await freePort());
  const config = [
    'route:',
    '  receiver: test',
    "  group_by: ['...']",
    '  group_wait: 0s',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: test',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(options.webhookUrl)}`,
    '        send_resolved: true',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const proc = await launch(
    ALERTMANAGER_BIN,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    port,
    dir,
    '/-/ready',
    options.dataDir === undefined,
  );
  return Object.assign(proc, { dataDir: dir });
}
