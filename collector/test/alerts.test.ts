// Alerts over HTTP: the plain webhook, GET /api/alerts and its parameters, bad rules files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as S from '../src/api/answers/index.js';
import { otlpJson, postJson, testCollector } from './collector.js';
import { hex, span } from './helpers.js';
import { waitFor } from './services/systemBinaries.js';

describe('alerts over HTTP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-alerts-'));
  const posts: { status: string; alerts: { id: string; state: string; labels: Record<string, string>; endsAt?: number }[] }[] = [];
  let failNext = 2;
  let hook: Server;
  let collector: Awaited<ReturnType<typeof testCollector>>;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (failNext-- > 0) return void res.writeHead(503).end('busy');
        posts.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
    collector = await testCollector({ alertWebhookUrl: url, alertEvalIntervalMs: 50, alertResendMs: 60_000 });
  });
  afterAll(async () => {
    await collector?.close();
    await new Promise((r) => hook.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts { status, alerts } to the webhook, retrying a receiver that answers 503', async () => {
    const breaker = (to: string) =>
      span({ service: 'orders', kind: 'client', parentSpanId: hex(8), attributes: { 'peer.service': 'payments' }, events: [{ name: 'breaker.state', timeMs: Date.now(), attributes: { 'faultline.breaker': 'payments', 'faultline.to': to } }] });
    expect((await postJson(collector.url, otlpJson([breaker('open')]))).status).toBe(200);
    await waitFor('the firing post', async () => posts.some((p) => p.status === 'firing'));
    const firing = posts.find((p) => p.status === 'firing')!;
    expect(firing.alerts).toHaveLength(1);
    expect(firing.alerts[0]!.labels).toMatchObject({ alertname: 'BreakerOpen', service: 'orders', target: 'payments' });
    const listed = (await (await fetch(`${collector.url}/api/alerts?state=firing`)).json()) as { id: string; rule: string; severity: string; state: string; startsAt: number; annotations: Record<string, string> }[];
    expect(S.AlertsAnswer.parse(listed), 'answer matches its schema, no field unnamed').toEqual(listed);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: firing.alerts[0]!.id, rule: 'BreakerOpen', severity: 'warning', state: 'firing' });
    expect(Object.keys(listed[0]!.annotations)).toEqual(expect.arrayContaining(['summary', 'root_cause', 'path', 'dashboard_url']));
    expect((await postJson(collector.url, otlpJson([breaker('closed')]))).status).toBe(200);
    await waitFor('the resolved post', async () => posts.some((p) => p.status === 'resolved'));
    const resolved = posts.find((p) => p.status === 'resolved')!.alerts[0]!;
    expect(resolved.id).toBe(firing.alerts[0]!.id);
    expect(resolved.endsAt).toBeGreaterThan(0);
    expect((await (await fetch(`${collector.url}/api/alerts?state=firing`)).json()) as unknown[]).toHaveLength(0);
  });

  it('answers 400 with a message to bad parameters', async () => {
    const r = await fetch(`${collector.url}/api/alerts?state=angry`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/state must be one of firing, resolved/);
    expect((await fetch(`${collector.url}/api/alerts?from=10&to=5`)).status).toBe(400);
  });

  it('refuses to start with a bad rules file, naming the file, rule and field', async () => {
    const path = join(dir, 'rules.yaml');
    writeFileSync(path, 'rules:\n  - name: EntryErrorRate\n    for: forever\n');
    await expect(testCollector({ alertRulesPath: path })).rejects.toThrow(`FAULTLINE_ALERT_RULES ${path}: rules[0].for: must be a duration`);
  });
});
