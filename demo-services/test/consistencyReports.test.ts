// Naive mode's consistency audit reports to a real collector: with inventory down, orders are
// charged and cancelled, and the collector's ConsistencyViolation alert names them while the
// fault lasts; their transactions are failed, not stuck, once the chain gives up.
import { startCollector, type RunningCollector } from '@faultline/collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../src/lib/shop.js';
import { eventually } from './helpers.js';

describe('naive consistency reports', () => {
  let collector: RunningCollector;
  let shop: Shop;
  beforeAll(async () => {
    collector = await startCollector({ port: 0, grpcPort: 0, dbPath: ':memory:', databaseUrl: null, token: null, alertEvalIntervalMs: 200, log: () => undefined });
    shop = await startShop({ mode: 'naive', otlpEndpoint: collector.url, natsUrl: '' });
  }, 120_000);
  afterAll(async () => {
    await shop?.close();
    await collector?.close();
  });

  it('reports charged, cancelled orders as consistency violations while inventory is down', { timeout: 120_000 }, async () => {
    await shop.process('inventory').kill();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${shop.urls.gateway}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":"sku-1","qty":1}' });
      const body = (await res.json()) as { orderId?: string; status?: string };
      expect(body.status).toBe('cancelled');
      ids.push(body.orderId!);
    }
    const alert = await eventually(async () => {
      const list = (await (await fetch(`${collector.url}/api/alerts?state=firing`)).json()) as { labels: Record<string, string>; annotations: Record<string, string> }[];
      const a = list.find((x) => x.labels.alertname === 'ConsistencyViolation');
      return a && ids.every((id) => (a.annotations.summary ?? '').includes(id)) ? a : undefined;
    }, 60_000);
    expect(alert, 'no ConsistencyViolation alert naming the orders').toBeDefined();
    expect(alert!.annotations.summary).toContain('cancelled_but_charged');
    const tx = (await (await fetch(`${collector.url}/api/transactions/${ids[0]}`)).json()) as { state: string; steps: { name: string; state: string }[] };
    expect(tx.state).toBe('failed');
    expect(tx.steps.map((s) => `${s.name}:${s.state}`)).toEqual(['charge-and-reserve:failed']);
  });
});
