import { describe, expect, it } from 'vitest';
import { natsReachable } from '../src/lib/natsAdmin.js';
import { runScenario } from '../src/scenarios/runner.js';

const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const natsUp = await natsReachable(NATS_URL);
if (!natsUp && process.env.REQUIRE_SERVICES === '1') throw new Error(`NATS unreachable at ${NATS_URL} (REQUIRE_SERVICES=1)`);
const RUN_TIMEOUT_MS = 420_000;

// Each run starts its own collector (nothing answers at the endpoint below) for the canary to read.
const NO_COLLECTOR = 'http://127.0.0.1:9';

describe.skipIf(!natsUp)(natsUp ? 'migration scenarios (acceptance: real processes, faults, databases, collector)' : 'migration scenarios (skipped: NATS unreachable)', () => {
  it('big-bang-migration, naive: the incident, read from the databases', { timeout: RUN_TIMEOUT_MS }, async () => {
    const r = await runScenario({ scenario: 'big-bang-migration', mode: 'naive', durationS: 14, rps: 6, seed: 3, natsUrl: NATS_URL, otlpEndpoint: NO_COLLECTOR });
    console.log(`naive big bang: ${JSON.stringify({ invariants: r.invariants, migration: r.migration, details: r.migrationDetails })}`);
    expect(r.migration!.steps.map((s) => [s.route, s.fromWeight, s.toWeight])).toEqual([
      ['/notifications', 0, 100],
      ['/reservations', 0, 100],
      ['/payments', 0, 100],
      ['/shipments', 0, 100],
      ['/orders', 0, 100],
    ]);
    expect(r.migration!.rollbacks).toBe(0);
    expect(r.migration!.servedBy.monolith).toBeGreaterThan(0);
    expect(r.migration!.servedBy.services).toBeGreaterThan(0);
    expect(r.invariants.chargedWithoutReservation).toBeGreaterThan(0);
    expect(r.invariants.inconsistent).toBeGreaterThanOrEqual(r.invariants.chargedWithoutReservation);
    expect(r.migrationDetails!.stuckOrdersMax).toBeGreaterThan(0);
    expect(r.migrationDetails!.userErrors.errorRate).toBeGreaterThan(r.migrationDetails!.beforeMigration!.errorRate);
  });

  it('strangler-migration, resilient: the canary rolls inventory back, every invariant holds, the migration completes', { timeout: RUN_TIMEOUT_MS }, async () => {
    const r = await runScenario({ scenario: 'strangler-migration', mode: 'resilient', rps: 10, seed: 3, natsUrl: NATS_URL, otlpEndpoint: NO_COLLECTOR });
    const d = r.migrationDetails!;
    console.log(`strangler: ${JSON.stringify({ invariants: r.invariants, rollbacks: r.migration!.rollbacks, completed: r.migration!.completed, servedBy: r.migration!.servedBy, readModel: r.readModel, userErrors: d.userErrors, reasons: d.rollbackReasons })}`);
    expect(r.settled).toBe(true);
    expect(r.migration!.rollbacks).toBeGreaterThanOrEqual(1);
    expect(d.rollbackReasons[0]).toMatch(/^\/reservations at 5%: error rate/);
    expect(r.migration!.completed).toBe(true);
    expect(d.finalWeights).toEqual({ notifications: 100, reservations: 100, payments: 100, shipments: 100, orders: 100 });
    expect(r.invariants.inconsistent, JSON.stringify(r.invariants)).toBe(0);
    expect(r.invariants.doubleCharges).toBe(0);
    expect(r.invariants.chargedWithoutReservation).toBe(0);
    expect(r.invariants.pending).toBe(0);
    expect(d.sidesDisagree).toBe(0);
    expect(r.readModel!.converged).toBe(true);
    expect(r.readModel!.orders).toBe(r.invariants.orders);
    // Users only met the fault where the canary sent them: at most the requests in inventory's canary buckets.
    expect(d.userErrors.failed).toBeGreaterThan(0);
    expect(d.userErrors.errorRate).toBeLessThanOrEqual(d.userErrors.boundErrorRate!);
    expect(r.migration!.servedBy.services).toBeGreaterThan(0);
    // The steps: notifications first, inventory rolled back then completed, orders last.
    const routes = r.migration!.steps.map((s) => s.route);
    expect(routes[0]).toBe('/notifications');
    expect(routes.at(-1)).toBe('/orders');
    expect(r.migration!.steps.filter((s) => s.outcome === 'rollback').map((s) => s.route)).toEqual(['/reservations']);
  });
});
