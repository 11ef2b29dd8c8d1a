import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../src/scenarios/catalog.js';
import type { ScenarioReport } from '../src/scenarios/report.js';
import { runScenario } from '../src/scenarios/runner.js';
import type { Mode } from '../src/lib/config.js';
import { eventually, getJson, startTestCollector, type TestCollector } from './helpers.js';
import { natsForTests } from './services.js';

// Short runs: long enough for a fault to bite and the system to recover, short
// enough for the whole package suite to stay within minutes on 2 cores.
const DURATION_S = 6;
const RPS = 4;
// payments-down compares latency during the fault: the fault must outlast the timeouts.
const LONG_DURATION_S = 16;
const RUN_TIMEOUT_MS = 240_000;

interface RootCausesAnswer {
  incidents: { startMs: number; endMs: number; rootCauses: { service: string; score: number; path: string[] }[] }[];
}

const reports = new Map<string, ScenarioReport>();
let natsUrl = '';

async function run(name: string, mode: Mode, otlpEndpoint?: string): Promise<ScenarioReport> {
  const durationS = name === 'payments-down' ? LONG_DURATION_S : DURATION_S;
  const report = await runScenario({
    scenario: name,
    mode,
    durationS,
    rps: RPS,
    seed: 7,
    natsUrl,
    // Without a collector of its own, a run exports to a port nobody listens on: spans are dropped.
    otlpEndpoint: otlpEndpoint ?? 'http://127.0.0.1:9',
  });
  reports.set(`${name}/${mode}`, report);
  return report;
}

describe.sequential('scenarios (acceptance: real processes, faults and databases)', () => {
  beforeAll(async () => {
    const nats = await natsForTests();
    natsUrl = nats.url;
    console.log(`scenario tests: ${nats.note}`);
  });

  const ranked = new Set(['inventory-down', 'payments-down', 'inventory-slow']);

  // The migration scenarios have their own file (test/migration.test.ts).
  describe.each(SCENARIOS.filter((s) => !s.migration).map((s) => s.name))('resilient %s', (name) => {
    let collector: TestCollector | undefined;
    beforeAll(async () => {
      // A collector of its own, so incidents of earlier runs cannot blur the ranking.
      if (ranked.has(name)) collector = await startTestCollector();
    });
    afterAll(async () => {
      await collector?.close();
    });

    it('ends with every order consistent across all databases and no double charge', { timeout: RUN_TIMEOUT_MS }, async () => {
      const r = await run(name, 'resilient', collector?.url);
      console.log(`resilient ${name}: ${JSON.stringify({ requests: r.requests, ok: r.ok, p99Ms: r.p99Ms, statuses: r.statuses, invariants: r.invariants })}`);
      expect(r.settled, JSON.stringify(r)).toBe(true);
      expect(r.invariants.orders).toBeGreaterThan(0);
      expect(r.invariants.inconsistent, JSON.stringify(r.invariants)).toBe(0);
      expect(r.invariants.doubleCharges).toBe(0);
      expect(r.invariants.chargedWithoutReservation).toBe(0);
      expect(r.invariants.reservedWithoutPayment).toBe(0);
      expect(r.invariants.pending).toBe(0);
      expect(r.invariants.notificationsMissing).toBe(0);
      expect(r.invariants.confirmed + r.invariants.cancelled).toBe(r.invariants.orders);
      if (name !== 'traffic-spike') expect(r.faults.length).toBeGreaterThan(0);
      // The spike is shed at the edge with 429 instead of queued into a collapse.
      if (name === 'traffic-spike') expect(r.statuses['429'] ?? 0).toBeGreaterThan(0);
    });

    if (ranked.has(name)) it('lets the collector rank the injected service first', { timeout: 60_000 }, async () => {
      const injected = SCENARIOS.find((s) => s.name === name)!.rootCause!;
      const answer = await eventually(async () => {
        const { status, body } = await getJson<RootCausesAnswer>(`${collector!.url}/api/root-causes`);
        return status === 200 && body.incidents.some((i) => i.rootCauses.length > 0) ? body : undefined;
      }, 30_000);
      expect(answer, 'no incident with root causes').toBeDefined();
      const incident = answer!.incidents.find((i) => i.rootCauses.length > 0)!;
      expect(incident.rootCauses[0]!.service, JSON.stringify(incident.rootCauses.slice(0, 3))).toBe(injected);
      // The failure path runs from the cause to the entry point users saw failing.
      expect(incident.rootCauses[0]!.path, JSON.stringify(incident.rootCauses[0])).toEqual(expect.arrayContaining([injected, 'gateway']));
      expect(incident.rootCauses[0]!.path.at(-1)).toBe('gateway');
    });

    if (ranked.has(name) && name.endsWith('-down')) it('records the kill on the collector\'s timeline as a down fault of the service', { timeout: 60_000 }, async () => {
      const victim = SCENARIOS.find((s) => s.name === name)!.rootCause!;
      // The runner's fault recorder sends a span with a fault.injected event; the collector keeps it as an annotation.
      const annotation = await eventually(async () => {
        const { body } = await getJson<{ kind: string; service?: string; attributes: Record<string, unknown> }[]>(`${collector!.url}/api/annotations`);
        return body.find((a) => a.kind === 'fault' && a.service === victim && a.attributes['faultline.fault'] === 'down');
      }, 20_000);
      expect(annotation, 'no down fault annotation for the killed service').toBeDefined();
    });
  });

  it('naive inventory-down reproduces the incident: payments captured for orders that never got stock', { timeout: RUN_TIMEOUT_MS }, async () => {
    const r = await run('inventory-down', 'naive');
    console.log(`naive inventory-down: ${JSON.stringify(r.invariants)}`);
    expect(r.invariants.chargedWithoutReservation).toBeGreaterThan(0);
    expect(r.invariants.inconsistent).toBeGreaterThanOrEqual(r.invariants.chargedWithoutReservation);
    expect(reports.get('inventory-down/resilient')?.invariants.chargedWithoutReservation).toBe(0);
  });

  it('payments-down: the resilient breaker opens and fails fast while naive callers hang', { timeout: RUN_TIMEOUT_MS }, async () => {
    const naive = await run('payments-down', 'naive');
    const resilient = reports.get('payments-down/resilient')!;
    expect(resilient.breakersOpened.payments ?? 0).toBeGreaterThan(0);
    expect(naive.breakersOpened).toEqual({});
    const summary = `resilient ${JSON.stringify(resilient.duringFault)} naive ${JSON.stringify(naive.duringFault)}`;
    console.log(`payments-down during the fault: ${summary}; breakers opened ${JSON.stringify(resilient.breakersOpened)}`);
    expect(resilient.duringFault.p99Ms, summary).toBeLessThan(naive.duringFault.p99Ms * 0.75);
    expect(resilient.duringFault.p50Ms, summary).toBeLessThan(naive.duringFault.p50Ms * 0.5);
    // ...and the orders caught by the outage were compensated, not left charged.
    expect(resilient.invariants.cancelled).toBeGreaterThan(0);
    expect(resilient.invariants.inconsistent).toBe(0);
  });

  it('retry-storm: resilient attempts per request stay within the retry budget; naive amplifies', { timeout: RUN_TIMEOUT_MS }, async () => {
    const naive = await run('retry-storm', 'naive');
    const resilient = reports.get('retry-storm/resilient')!;
    // Budget: retries add at most 20% plus 1 per second (SAGA_STEP_POLICIES) over the run.
    const budget = 1 + 0.2 + 1 / RPS;
    console.log(`retry-storm attempts per request on inventory: resilient ${resilient.attemptsPerRequest}, naive ${naive.attemptsPerRequest} (budget ${budget}); naive double charges ${naive.invariants.doubleCharges}`);
    expect(resilient.attemptsPerRequest!).toBeLessThanOrEqual(budget);
    expect(naive.attemptsPerRequest!).toBeGreaterThan(2 * resilient.attemptsPerRequest!);
    expect(naive.attemptsPerRequest!).toBeGreaterThan(budget);
  });
});
