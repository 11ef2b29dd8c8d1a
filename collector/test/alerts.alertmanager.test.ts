// Alerts delivered to a real Alertmanager: firing, resolved (seen through Alertmanager's own
// webhook notifications), and an Alertmanager killed mid-run by PID: delivery resumes with
// every alert's current state, once per label set.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpJson, postJson, testCollector } from './collector.js';
import { hex, span } from './helpers.js';
import { ALERTMANAGER_BIN, missingBinary, startAlertmanager, type SystemProcess, waitFor } from './services/systemBinaries.js';

const skip = missingBinary(ALERTMANAGER_BIN, 'prometheus-alertmanager');
if (skip) console.log(`skipping the Alertmanager test: ${skip}`);

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
  fingerprint: string;
}
interface Notification {
  status: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

function breakerSpan(target: string, to: 'open' | 'closed') {
  return span({
    service: 'orders',
    kind: 'client',
    parentSpanId: hex(8),
    attributes: { 'peer.service': target },
    events: [{ name: 'breaker.state', timeMs: Date.now(), attributes: { 'faultline.breaker': target, 'faultline.from': to === 'open' ? 'closed' : 'open', 'faultline.to': to } }],
  });
}

describe.skipIf(skip !== null)('alerts to a real Alertmanager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-alerts-'));
  const notifications: Notification[] = [];
  let sink: Server;
  let sinkUrl = '';
  let am: (SystemProcess & { dataDir: string }) | null = null;
  let collector: Awaited<ReturnType<typeof testCollector>>;

  beforeAll(async () => {
    sink = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        notifications.push(JSON.parse(body) as Notification);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/am-webhook`;
    am = await startAlertmanager({ webhookUrl: sinkUrl });
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, ['rules:', '  - name: BreakerOpen', '    for: 0s', '  - name: ConsistencyViolation', '    window: 10m', '    labels:', '      team: shop', ''].join('\n'));
    collector = await testCollector({ alertmanagerUrl: am.url, alertRulesPath: rules, alertEvalIntervalMs: 100, alertResendMs: 1000 });
  }, 60_000);

  afterAll(async () => {
    await collector?.close();
    await am?.stop();
    await new Promise((r) => sink?.close(r));
    if (am) rmSync(am.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const amAlerts = async (): Promise<AmAlert[]> => (await (await fetch(`${am!.url}/api/v2/alerts`)).json()) as AmAlert[];
  const send = async (...spans: ReturnType<typeof span>[]) => expect((await postJson(collector.url, otlpJson(spans))).status).toBe(200);
  const notified = (target: string, status: string) => notifications.some((n) => n.alerts.some((a) => a.labels.target === target && a.status === status));

  it('fires and resolves, and survives an Alertmanager killed mid-run without loss or duplicates', async () => {
    // 1. Fire and resolve while Alertmanager is up.
    await send(breakerSpan('payments', 'open'));
    const fired = await waitFor('BreakerOpen for payments in Alertmanager', async () => (await amAlerts()).find((a) => a.labels.target === 'payments'));
    expect(fired.labels).toMatchObject({ alertname: 'BreakerOpen', severity: 'warning', service: 'orders', target: 'payments' });
    expect(Object.keys(fired.annotations).sort()).toEqual(['dashboard_url', 'path', 'root_cause', 'summary']);
    expect(fired.annotations.dashboard_url).toBe(`${collector.url}/#/incidents`);
    await waitFor('Alertmanager notifying the firing alert', async () => notified('payments', 'firing'));
    await send(breakerSpan('payments', 'closed'));
    await waitFor('Alertmanager notifying the resolved alert', async () => notified('payments', 'resolved'));
    expect((await amAlerts()).some((a) => a.labels.target === 'payments')).toBe(false);
    const mine = (await (await fetch(`${collector.url}/api/alerts?state=resolved`)).json()) as { labels: Record<string, string>; endsAt: number }[];
    expect(mine.find((a) => a.labels.target === 'payments')?.endsAt).toBeGreaterThan(0);

    // 2. Kill Alertmanager while one alert fires; resolve it and fire two more while it is down.
    await send(breakerSpan('inventory', 'open'));
    await waitFor('BreakerOpen for inventory in Alertmanager', async () => (await amAlerts()).some((a) => a.labels.target === 'inventory'));
    const { port, dataDir } = am!;
    const killedPid = am!.pid;
    await am!.kill();
    am = null;
    const consistency = span({
      service: 'orders',
      name: 'reconcile',
      events: [
        { name: 'consistency.violation', timeMs: Date.now(), attributes: { 'faultline.tx.id': 'order-17', 'faultline.violation': 'charged_without_reservation' } },
        { name: 'consistency.violation', timeMs: Date.now(), attributes: { 'faultline.tx.id': 'order-4', 'faultline.violation': 'charged_without_reservation' } },
      ],
    });
    await send(breakerSpan('inventory', 'closed'), breakerSpan('shipping', 'open'), consistency);
    await waitFor('a failed delivery attempt', async () => collector.logs.some((l) => l.includes('alert delivery to Alertmanager') && l.includes('failed')));
    am = await startAlertmanager({ webhookUrl: sinkUrl, port, dataDir });
    expect(am.pid).not.toBe(killedPid);
    const after = await waitFor('both new alerts in the restarted Alertmanager', async () => {
      const list = await amAlerts();
      return list.some((a) => a.labels.target === 'shipping') && list.some((a) => a.labels.alertname === 'ConsistencyViolation') ? list : null;
    });
    expect(after.filter((a) => a.labels.target === 'shipping')).toHaveLength(1);
    expect(after.some((a) => a.labels.target === 'inventory')).toBe(false);
    const violation = after.find((a) => a.labels.alertname === 'ConsistencyViolation')!;
    expect(violation.labels).toMatchObject({ severity: 'critical', service: 'orders', team: 'shop' });
    expect(violation.annotations.summary).toContain('order-17');
    expect(violation.annotations.summary).toContain('order-4');
    expect(violation.annotations.dashboard_url).toBe(`${collector.url}/#/transactions`);
    // One alert per label set: every fingerprint once.
    const fingerprints = after.map((a) => a.fingerprint);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);

    // 3. The alert that fired during the outage resolves normally.
    await waitFor('Alertmanager notifying shipping firing', async () => notified('shipping', 'firing'));
    await send(breakerSpan('shipping', 'closed'));
    await waitFor('Alertmanager notifying shipping resolved', async () => notified('shipping', 'resolved'));
    const ours = (await (await fetch(`${collector.url}/api/alerts`)).json()) as { id: string; labels: Record<string, string>; state: string }[];
    expect(new Set(ours.map((a) => a.id)).size).toBe(ours.length);
    expect(ours.filter((a) => a.state === 'firing').map((a) => a.labels.alertname)).toEqual(['ConsistencyViolation']);
  }, 120_000);
});
