import { describe, expect, it } from 'vitest';
import type { Alert } from './AlertState.js';
import { type AlertReceiver, Notifier, type SendOutcome } from './Notifier.js';

const alert = (id: string, state: Alert['state'] = 'firing'): Alert => ({ id, rule: 'R', severity: 'warning', state, startsAt: 1, labels: { alertname: 'R', id }, annotations: {}, updatedAt: 1 });

class FlakyReceiver implements AlertReceiver {
  readonly name = 'flaky';
  up = true;
  received: Alert[][] = [];
  async send(alerts: readonly Alert[]): Promise<SendOutcome> {
    if (!this.up) return { kind: 'retry', reason: 'down' };
    this.received.push([...alerts]);
    return { kind: 'ok' };
  }
}

describe('Notifier', () => {
  it('retries while the receiver is down and then delivers the latest state of each alert once', async () => {
    const r = new FlakyReceiver();
    r.up = false;
    const n = new Notifier([r], { retryDelayMs: 10, retryMaxDelayMs: 20 });
    n.enqueue([alert('a'), alert('b')]);
    n.enqueue([alert('a', 'resolved')]);
    await new Promise((res) => setTimeout(res, 50));
    expect(n.status()[0]).toMatchObject({ queued: 2, failing: true });
    r.up = true;
    expect(await n.drain(2000)).toBe(true);
    const delivered = r.received.flat();
    expect(delivered.map((a) => `${a.id}:${a.state}`).sort()).toEqual(['a:resolved', 'b:firing']);
    expect(n.status()[0]).toMatchObject({ queued: 0, delivered: 2, failing: false });
  });

  it('sends the current state again once a failure streak ends (a restarted receiver starts empty)', async () => {
    const r = new FlakyReceiver();
    const current = [alert('x'), alert('y')];
    const n = new Notifier([r], { retryDelayMs: 10, onRecovered: () => current });
    r.up = false;
    n.enqueue([alert('z', 'resolved')]);
    await new Promise((res) => setTimeout(res, 30));
    r.up = true;
    expect(await n.drain(2000)).toBe(true);
    expect(r.received.flat().map((a) => a.id).sort()).toEqual(['x', 'y', 'z']);
  });

  it('bounds its outbox and counts what it dropped', () => {
    const r = new FlakyReceiver();
    r.up = false;
    const n = new Notifier([r], { outboxMax: 3, retryDelayMs: 60_000 });
    n.enqueue(['1', '2', '3', '4', '5'].map((id) => alert(id)));
    expect(n.status()[0]).toMatchObject({ queued: 3, dropped: 2 });
  });

  it('gives up on a batch the receiver refuses for good (4xx) instead of retrying forever', async () => {
    const refusing: AlertReceiver = { name: 'r', send: async () => ({ kind: 'drop', reason: '400 bad' }) };
    const n = new Notifier([refusing]);
    n.enqueue([alert('a')]);
    expect(await n.drain(1000)).toBe(true);
    expect(n.status()[0]).toMatchObject({ dropped: 1, delivered: 0 });
  });
});
