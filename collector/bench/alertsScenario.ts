// End-to-end check of metrics, alerts and transactions on the demo shop: a real Alertmanager
// and Prometheus, an in-process collector, and `pnpm scenario <name>` exporting to it.
//   tsx collector/bench/alertsScenario.ts [scenario] [mode] [durationS]
// Prints when the dependency and consistency alerts reached Alertmanager (seconds after the
// fault), when they resolved, Prometheus' view of the gateway's requests against the load
// generator's, and the stuck transactions. Every process it starts is stopped by PID.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCollector } from '../src/index.js';
import { promQuery, startAlertmanager, startPrometheus, waitFor } from '../test/services/systemBinaries.js';

const [scenario = 'inventory-down', mode = 'naive', durationArg = '90'] = process.argv.slice(2);
const durationS = Number(durationArg);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface AmAlert { labels: Record<string, string>; annotations: Record<string, string> }

const notes: { status: string; alert: string; atMs: number }[] = [];
const sink = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const n = JSON.parse(body) as { alerts: { status: string; labels: Record<string, string> }[] };
    for (const a of n.alerts) notes.push({ status: a.status, alert: `${a.labels.alertname}{${a.labels.server ?? a.labels.service ?? a.labels.type ?? ''}}`, atMs: Date.now() });
    res.end();
  });
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
const am = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${(sink.address() as { port: number }).port}/` });
const collector = await startCollector({ port: 0, grpcPort: 0, dbPath: ':memory:', databaseUrl: null, token: null, alertmanagerUrl: am.url, alertResendMs: 10_000, log: () => undefined });
const prom = await startPrometheus(collector.url, { scrapeIntervalS: 1 });
const seen = new Map<string, number>();
let lastConsistency = '';
let stuckMax = 0;
let stuckExample: string[] = [];
const gone = new Map<string, number>();
let scenarioPid = 0;
try {
  const poll = setInterval(async () => {
    try {
      const list = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];
      const now = Date.now();
      const names = new Set(list.map((a) => `${a.labels.alertname}{${a.labels.server ?? a.labels.service ?? a.labels.type ?? ''}}`));
      for (const n of names) if (!seen.has(n)) seen.set(n, now);
      for (const n of seen.keys()) if (!names.has(n) && !gone.has(n)) gone.set(n, now);
      const stuckNow = (await (await fetch(`${collector.url}/api/transactions?state=stuck&limit=1000`)).json()) as { id: string }[];
      if (stuckNow.length > stuckMax) (stuckMax = stuckNow.length), (stuckExample = stuckNow.slice(0, 3).map((t) => t.id));
      for (const a of list) {
        if (a.labels.alertname !== 'ConsistencyViolation') continue;
        if (!seen.has('ids')) console.log(`consistency alert, first seen: ${(a.annotations.summary ?? '').slice(0, 300)}`);
        seen.set('ids', now);
        lastConsistency = a.annotations.summary ?? '';
      }
    } catch {
      // Alertmanager busy; next round
    }
  }, 500);
  const startedMs = Date.now();
  const child = spawn('pnpm', ['--silent', 'scenario', scenario, '--mode', mode, '--duration', String(durationS), '--json'], {
    cwd: ROOT,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  scenarioPid = child.pid!;
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.once('exit', r));
  scenarioPid = 0;
  const report = JSON.parse(out.trim().split('\n').pop()!) as { requests: number; faults: { service: string; startMs: number; endMs: number }[]; invariants: Record<string, number> };
  const fault = report.faults[0]!;
  const endedMs = Date.now();
  console.log(`scenario ${scenario} --mode ${mode}: ${report.requests} requests in ${durationS} s; fault ${fault.service} from +${((fault.startMs - startedMs) / 1000).toFixed(1)} s to +${((fault.endMs - startedMs) / 1000).toFixed(1)} s; invariants ${JSON.stringify(report.invariants)}`);

  // Prometheus: the gateway's counter against the load generator's count, and a rate().
  await new Promise((r) => setTimeout(r, 3000));
  const total = await promQuery(prom, 'faultline_requests_total{service="gateway"}');
  const at = (ms: number) => (ms / 1000).toFixed(3);
  const rps = Number(process.env.SCENARIO_RPS ?? 10);
  // The load runs durationS from 0.15 × durationS before the fault; spans reach the collector a few seconds late.
  const loadStartMs = fault.startMs - 0.15 * durationS * 1000;
  const loadEndMs = loadStartMs + durationS * 1000;
  const whole = await promQuery(prom, `rate(faultline_requests_total{service="gateway"}[${durationS}s] @ ${at(loadEndMs + 5000)})`);
  const before = await promQuery(prom, `rate(faultline_requests_total{service="gateway"}[5s] @ ${at(fault.startMs + 2000)})`);
  const sent = report.requests;
  const pct = (v: number | null, ref: number) => `${(((v ?? 0) - ref) / ref * 100).toFixed(1)} %`;
  console.log(`Prometheus: faultline_requests_total{service="gateway"} = ${total} vs ${sent} requests sent (${pct(total, sent)}); rate()[${durationS}s] over the load = ${whole?.toFixed(2)}/s vs ${(sent / durationS).toFixed(2)}/s sent (${pct(whole, sent / durationS)}); rate()[5s] just before the fault = ${before?.toFixed(2)}/s vs ${rps}/s (${pct(before, rps)})`);

  const tx = (await (await fetch(`${collector.url}/api/transactions?state=stuck&limit=1000`)).json()) as unknown[];
  const all = (await (await fetch(`${collector.url}/api/transactions?limit=1000`)).json()) as { state: string }[];
  const byState: Record<string, number> = {};
  for (const t of all) byState[t.state] = (byState[t.state] ?? 0) + 1;
  console.log(`transactions: ${JSON.stringify(byState)}; stuck now ${tx.length}, at most ${stuckMax} during the run${stuckExample.length ? ` (e.g. ${stuckExample.join(', ')})` : ''}`);

  // Resolution: wait until every alert seen has left Alertmanager (windows are 1–2 minutes).
  await waitFor('alerts to resolve', async () => [...seen.keys()].filter((k) => k !== 'ids').every((k) => gone.has(k)), 300_000, 1000).catch(() => undefined);
  clearInterval(poll);
  if (lastConsistency) console.log(`consistency alert, last summary: ${lastConsistency.slice(0, 400)}`);
  for (const [name, atMs] of seen) {
    if (name === 'ids') continue;
    const resolved = gone.get(name);
    const notified = notes.filter((n) => n.alert === name).map((n) => n.status).join(',');
    console.log(`${name}: in Alertmanager +${((atMs - fault.startMs) / 1000).toFixed(1)} s after the fault started; ${resolved ? `gone +${((resolved - endedMs) / 1000).toFixed(1)} s after the scenario ended` : 'still active'}; Alertmanager notified: ${notified}`);
  }
} finally {
  if (scenarioPid) process.kill(scenarioPid, 'SIGTERM');
  await prom.stop();
  await collector.close();
  await am.stop();
  sink.close();
}
