// Root causes through GET /api/root-causes' own function on a hand-written, gRPC-shaped
// system with naming unlike ours (Python-style services, `pkg.v1.Service/Method` spans, no
// HTTP attributes, no error flags on the faults): a delay on one hop with little data after
// it, a CPU hog in the entry service, and a service that fails as often before the fault as
// after, and a service whose requests stop posting to the ledger with no error or slowness.
// Fault-free traffic opens nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { rootCauses } from '../../src/api/rootCauses.js';
import type { SpanRecord } from '../../src/model.js';
import { makeSpan } from '../../src/analysis/fixtures/span.js';
import { openStore, type TraceStore } from '../../src/store/index.js';

const T = 1_800_000_000_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

interface Fault {
  /** Extra wait on the orders → ledger hop, ms (the network or ledger's queue). */
  ledgerHopMs?: number;
  /** Factor on the entry service's own work and on its waits (a starved process). */
  edgeCpu?: number;
  /** orders-svc answers without posting to the ledger (a caught exception answered as success). */
  ordersSkipLedger?: boolean;
}

let n = 0;
const hex = (len: number) => (++n).toString(16).padStart(len, '0');

/**
 * One request every `stepMs` for `seconds`: edge-proxy → orders-svc → ledger-svc, and every
 * 4th request also edge-proxy → mailer, which fails one call in `mailFailsEvery` at all times.
 * `faultAt(t)` gives the fault in force at t ms.
 */
function traffic(seconds: number, faultAt: (t: number) => Fault, stepMs = 250, mailFailsEvery = 3, seed = 5): SpanRecord[] {
  const r = rng(seed);
  const noise = () => 0.8 + 0.4 * r();
  const out: SpanRecord[] = [];
  for (let k = 0, t = 0; t < seconds * 1000; k++, t += stepMs) {
    const f = faultAt(t);
    const cpu = f.edgeCpu ?? 1;
    const traceId = hex(32);
    const at = T + t;
    const ledgerWork = 4 * noise();
    const ledgerGap = (1 + (f.ledgerHopMs ?? 0)) * noise();
    const ordersWork = 3 * noise();
    const ordersGap = 1 * noise() * cpu;
    const skip = f.ordersSkipLedger ?? false;
    const ordersSpan = ordersWork + (skip ? 0 : ledgerWork + ledgerGap);
    const mail = k % 4 === 0;
    const mailFails = mail && (k / 4) % mailFailsEvery === 0;
    const mailSpan = 6 * noise();
    const edgeWork = 2 * noise() * cpu;
    const root = makeSpan({ traceId, spanId: hex(16), service: 'edge-proxy', name: 'edge.v1.Edge/Checkout', startMs: at, durationMs: edgeWork + ordersSpan + ordersGap + (mail ? mailSpan + 1 : 0), status: mailFails ? 'error' : 'unset' });
    const c1 = makeSpan({ traceId, spanId: hex(16), parentSpanId: root.spanId, service: 'edge-proxy', kind: 'client', name: 'orders.v1.Orders/Place', startMs: at + edgeWork / 2, durationMs: ordersSpan + ordersGap });
    const s1 = makeSpan({ traceId, spanId: hex(16), parentSpanId: c1.spanId, service: 'orders-svc', name: 'orders.v1.Orders/Place', startMs: c1.startMs + ordersGap / 2, durationMs: ordersSpan });
    const c2 = makeSpan({ traceId, spanId: hex(16), parentSpanId: s1.spanId, service: 'orders-svc', kind: 'client', name: 'ledger.v1.Ledger/Post', startMs: s1.startMs + ordersWork, durationMs: ledgerWork + ledgerGap });
    const s2 = makeSpan({ traceId, spanId: hex(16), parentSpanId: c2.spanId, service: 'ledger-svc', name: 'ledger.v1.Ledger/Post', startMs: c2.startMs + ledgerGap / 2, durationMs: ledgerWork });
    out.push(root, c1, s1);
    if (!skip) out.push(c2, s2);
    if (mail) {
      const c3 = makeSpan({ traceId, spanId: hex(16), parentSpanId: root.spanId, service: 'edge-proxy', kind: 'client', name: 'mail.v1.Mailer/Send', startMs: c1.endMs + 0.5, durationMs: mailSpan + 0.5, status: mailFails ? 'error' : 'unset' });
      const s3 = makeSpan({ traceId, spanId: hex(16), parentSpanId: c3.spanId, service: 'mailer', name: 'mail.v1.Mailer/Send', startMs: c3.startMs + 0.25, durationMs: mailSpan, status: mailFails ? 'error' : 'unset' });
      out.push(c3, s3);
    }
  }
  return out;
}

let store: TraceStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

async function answer(spans: readonly SpanRecord[]) {
  store = await openStore({ dbPath: ':memory:', databaseUrl: null });
  const endMs = Math.max(...spans.map((s) => s.endMs));
  await store.insertSpans(spans, endMs + 60_000);
  await store.resolvePendingEdges(endMs + 60_000);
  const { incidents } = await rootCauses(store, { fromMs: T - 10 * 60_000, toMs: endMs + 1 }, endMs + 1_000);
  return incidents.map((i) => ({ ...i, ranked: [...new Set(i.rootCauses.map((c) => c.service))] }));
}

const FAULT_AT_MS = 40_000;

describe('root causes on a hand-written gRPC-shaped system', () => {
  it('opens nothing on fault-free traffic, though one call to mailer in three fails throughout', async () => {
    expect(await answer(traffic(60, () => ({})))).toEqual([]);
  });

  it('names ledger-svc first for a delay on the orders → ledger hop, with only 15 s of data after it', async () => {
    const incidents = await answer(traffic(55, (t) => (t >= FAULT_AT_MS ? { ledgerHopMs: 40 } : {})));
    expect(incidents.length, JSON.stringify(incidents, null, 1)).toBe(1);
    const [incident] = incidents;
    expect(incident!.ranked[0], JSON.stringify(incident, null, 1)).toBe('ledger-svc');
    expect(incident!.rootCauses[0]!.path).toEqual(['ledger-svc', 'orders-svc', 'edge-proxy']);
    expect(incident!.startMs).toBeGreaterThanOrEqual(T + FAULT_AT_MS - 5_000);
    expect(incident!.ranked.indexOf('mailer')).not.toBe(0);
  });

  it('names the entry service itself for a CPU hog there, not the callee it waits on', async () => {
    const incidents = await answer(traffic(70, (t) => (t >= FAULT_AT_MS ? { edgeCpu: 6 } : {})));
    expect(incidents.length, JSON.stringify(incidents, null, 1)).toBe(1);
    expect(incidents[0]!.ranked[0], JSON.stringify(incidents[0], null, 1)).toBe('edge-proxy');
  });

  it('names ledger-svc in a small case: 45 requests, 20 s of them before a 200 ms delay on its hop', async () => {
    const incidents = await answer(traffic(30, (t) => (t >= 20_000 ? { ledgerHopMs: 200 } : {}), 666));
    expect(incidents.length, JSON.stringify(incidents, null, 1)).toBe(1);
    expect(incidents[0]!.ranked[0], JSON.stringify(incidents[0], null, 1)).toBe('ledger-svc');
  });

  it('keeps a service that failed every call from the first minute on out of a later fault: that fault is an incident of its own', async () => {
    const incidents = await answer(traffic(150, (t) => (t >= 130_000 ? { ledgerHopMs: 40 } : {}), 250, 1));
    const fault = incidents.find((i) => i.startMs <= T + 131_000 && i.endMs >= T + 131_000);
    expect(fault, JSON.stringify(incidents, null, 1)).toBeDefined();
    expect(fault!.startMs).toBeGreaterThanOrEqual(T + 120_000);
    expect(fault!.ranked[0], JSON.stringify(fault, null, 1)).toBe('ledger-svc');
    expect(fault!.ranked).not.toContain('mailer');
  });

  it('…and out of a fault 20 s into the data, within the first minute', async () => {
    const incidents = await answer(traffic(45, (t) => (t >= 20_000 ? { ledgerHopMs: 40 } : {}), 250, 1));
    const fault = incidents.find((i) => i.startMs <= T + 25_000 && i.endMs >= T + 25_000);
    expect(fault, JSON.stringify(incidents, null, 1)).toBeDefined();
    expect(fault!.startMs).toBeGreaterThanOrEqual(T + 15_000);
    expect(fault!.ranked[0], JSON.stringify(fault, null, 1)).toBe('ledger-svc');
    expect(fault!.ranked).not.toContain('mailer');
  });

  it('names orders-svc when its requests stop posting to the ledger, with no error and no slowness anywhere', async () => {
    const incidents = await answer(traffic(60, (t) => (t >= FAULT_AT_MS ? { ordersSkipLedger: true } : {})));
    expect(incidents.length, JSON.stringify(incidents, null, 1)).toBe(1);
    const [cause] = incidents[0]!.rootCauses;
    expect(cause, JSON.stringify(incidents[0], null, 1)).toMatchObject({ service: 'orders-svc', operation: 'orders.v1.Orders/Place', path: ['orders-svc', 'edge-proxy'] });
    expect(cause!.reason).toMatch(/ledger\.v1\.Ledger\/Post/);
    expect(cause!.traceIds.length).toBeGreaterThan(0);
  });
});
