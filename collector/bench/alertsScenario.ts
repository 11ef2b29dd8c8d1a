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
  const sent = report.requests;
  const pct = (v: number | null, ref: number) => `${(((v ?? 0) - ref) / ref * 100).toFixed(1)} %`;
  // The load's start as Prometheus saw it: the first scrape that held the gateway's counter.
  const firstS = await promQuery(prom, `min_over_time(timestamp(faultline_requests_total{service="gateway"})[${Math.ceil((Date.now() - startedMs) / 1000) + 60}s:1s])`);
  const loadStartMs = firstS !== null ? firstS * 1000 : fault.startMs - 0.15 * durationS * 1000;
  const loadEndMs = loadStartMs + durationS * 1000;
  // rate() over the whole load: its window ends once every request has ended (a naive request
  // hangs up to the generator's 20 s timeout, and is counted when its span ends).
  const lateMs = Math.min(25_000, endedMs - loadEndMs);
  const whole = await promQuery(prom, `increase(faultline_requests_total{service="gateway"}[${Math.round((loadEndMs + lateMs - loadStartMs) / 1000) + 2}s] @ ${at(loadEndMs + lateMs)})`);
  console.log(`Prometheus: faultline_requests_total{service="gateway"} = ${total} vs ${sent} requests sent (${pct(total, sent)}); increase() over the load = ${whole?.toFixed(0)} (${pct(whole, sent)}), i.e. rate ${((whole ?? 0) / durationS).toFixed(2)}/s vs ${(sent / durationS).toFixed(2)}/s sent`);
  // rate()[60s] every 5 s while a full minute of load lies behind it. Requests are counted when
  // their span ends, so a minute in which requests start hanging reads low by the hang's length.
  const points: { tMs: number; rate: number }[] = [];
  for (let tMs = loadStartMs + 60_000; tMs <= loadEndMs; tMs += 5_000) {
    const v = await promQuery(prom, `rate(faultline_requests_total{service="gateway"}[60s] @ ${at(tMs)})`);
    if (v !== null) points.push({ tMs, rate: v });
  }
  for (const p of points) {
    const phase = p.tMs - 60_000 >= fault.startMs && p.tMs <= fault.endMs ? 'fault' : p.tMs < fault.startMs ? 'before' : p.tMs - 60_000 > fault.endMs ? 'after' : 'onset/recovery';
    console.log(`  rate()[60s] @ +${((p.tMs - loadStartMs) / 1000).toFixed(0)} s (${phase}): ${p.rate.toFixed(2)}/s vs ${rps}/s sent (${pct(p.rate, rps)})`);
  }

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
