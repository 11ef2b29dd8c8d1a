// Root causes on traces from the official OpenTelemetry JS SDK and auto-instrumentation
// (http, express 4 and 5, undici): express services in their own processes, one fault each,
// asked through GET /api/root-causes as a user would. The required behaviour.
import { afterEach, describe, expect, it } from 'vitest';
import { pickIncident } from '../../bench/rca/scoring.js';
import { testCollector } from '../collector.js';
import { defaultShop, runShop, type ShopFault, type ShopRun, type ShopService } from './otelShop.js';

interface Cause {
  service: string;
  operation: string;
  score: number;
  reason: string;
  path: string[];
  traceIds?: string[];
}
interface Incident {
  startMs: number;
  endMs: number;
  affected: string[];
  rootCauses: Cause[];
}

const NORMAL_MS = 20_000;
// Long enough for two judged groups of the starved service even when a CPU hog cuts its throughput on a loaded machine.
const FAULT_MS = 25_000;
const TEST_TIMEOUT_MS = 150_000;

let collector: Awaited<ReturnType<typeof testCollector>> | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

function describeAnswer(incidents: readonly Incident[], run: ShopRun): string {
  const lines = [`fault ${run.fault?.kind} in ${run.fault?.service} at +${((run.faultStartMs ?? 0) - run.startMs) / 1000}s; ${incidents.length} incident(s)`];
  for (const i of incidents) {
    lines.push(`incident +${((i.startMs - run.startMs) / 1000).toFixed(0)}s..+${((i.endMs - run.startMs) / 1000).toFixed(0)}s affected=${i.affected.join(',')}`);
    for (const [k, c] of i.rootCauses.slice(0, 5).entries()) {
      lines.push(`  ${k + 1}. ${c.service} ${c.operation} score=${c.score} path=${c.path.join('→')} traceIds=${c.traceIds?.length ?? 'none'}: ${c.reason}`);
    }
  }
  return lines.join('\n');
}

/** Runs the shop with the fault into a fresh collector, then asks for root causes as a user would (the last 15 minutes). */
async function incidentFor(fault: ShopFault, services?: ShopService[]): Promise<{ incident: Incident | null; ranked: string[]; explain: string }> {
  collector = await testCollector();
  const run = await runShop({ otlpUrl: collector.url, services, fault, normalMs: NORMAL_MS, faultMs: FAULT_MS, log: (l) => console.log(l) });
  expect(run.requests.normalFailed, 'normal traffic must succeed').toBeLessThanOrEqual(1);
  // Every service flushed its spans on exit; the answer may still take a moment (cached 2 s).
  let incidents: Incident[] = [];
  let incident: Incident | null = null;
  for (const untilMs = Date.now() + 10_000; Date.now() < untilMs; await new Promise((r) => setTimeout(r, 1_000))) {
    const res = await fetch(`${collector.url}/api/root-causes`);
    expect(res.status).toBe(200);
    incidents = ((await res.json()) as { incidents: Incident[] }).incidents;
    incident = pickIncident(incidents, run.faultStartMs!);
    if (incident) break;
  }
  const ranked = incident ? [...new Set(incident.rootCauses.map((c) => c.service))] : [];
  return { incident, ranked, explain: describeAnswer(incidents, run) };
}

describe('root causes on official OpenTelemetry instrumentation', () => {
  it(
    'ranks inventory first when it answers 500 and its callers 502, with the path inventory → orders → frontend and evidence traces',
    async () => {
      const { incident, ranked, explain } = await incidentFor({ service: 'inventory', kind: 'error' });
      expect(incident, explain).not.toBeNull();
      expect(ranked[0], explain).toBe('inventory');
      expect(incident!.rootCauses[0]!.path, explain).toEqual(['inventory', 'orders', 'frontend']);
      for (const cause of incident!.rootCauses) {
        expect(cause.traceIds, `traceIds of ${cause.service}\n${explain}`).toBeInstanceOf(Array);
        expect(cause.traceIds!.length, `traceIds of ${cause.service}\n${explain}`).toBeGreaterThan(0);
        for (const id of cause.traceIds!) expect(id).toMatch(/^[0-9a-f]{32}$/);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'ranks a middle service first when a CPU hog starves its process (no errors at all)',
    async () => {
      const services = defaultShop({ frontend: 'storefront', orders: 'ledger-core', inventory: 'vault', pricing: 'tariff-engine' });
      const { incident, ranked, explain } = await incidentFor({ service: 'ledger-core', kind: 'cpu-hog' }, services);
      expect(incident, explain).not.toBeNull();
      expect(ranked[0], explain).toBe('ledger-core');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'ranks the callee first when the hop into it is slow (the delay shows only in the caller’s client span)',
    async () => {
      const services = defaultShop({ frontend: 'edge-gw', orders: 'quartermaster', inventory: 'stockroom', pricing: 'abacus' });
      const { incident, ranked, explain } = await incidentFor({ service: 'abacus', kind: 'hop-delay', delayMs: 150 }, services);
      expect(incident, explain).not.toBeNull();
      expect(ranked[0], explain).toBe('abacus');
    },
    TEST_TIMEOUT_MS,
  );
});
