import type { Mode } from '../lib/config.js';
import type { Shop } from '../lib/shop.js';
import { sleep } from '../lib/sleep.js';
import { BIG_BANG_FLIP_AT, type ScenarioDefinition } from '../scenarios/catalog.js';
import type { FaultInjector } from '../scenarios/faults.js';
import { playTimeline } from '../scenarios/timeline.js';
import { ROUTE_SPECS } from '../services/gateway/routing.js';
import type { MigrationController } from './controller.js';
import { pendingEvents } from './sides.js';
import { openDbReadOnly } from '../lib/db.js';

export interface PlanOutcome {
  /** False once the monolith was decommissioned: its database then no longer has to follow. */
  monolithRunning: boolean;
  /** The window the report's `userErrors` covers, and the faulty route's first stage (strangler). */
  userWindow: { fromMs: number; toMs: number; route: string | null; weightPct: number | null };
  /** Big bang: the run before the flip, to compare error rates with. */
  beforeWindow?: { fromMs: number; toMs: number };
  /** Big bang: most orders seen stuck at once (unfinished for longer than `STUCK_AFTER_MS`) in orders' database. */
  stuckOrdersMax?: number;
}

/** An order still unfinished this long after it was placed counts as stuck (the resilient saga's steps give up within 5 s). */
export const STUCK_AFTER_MS = 5000;
const STUCK_SAMPLE_MS = 500;

function stuckOrders(ordersDbPath: string): number {
  const db = openDbReadOnly(ordersDbPath);
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM orders WHERE status IN ('pending', 'cancelling') AND created_ms < ?").get(Date.now() - STUCK_AFTER_MS) as { n: number }).n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

/** Routes the strangler moves after the faulty one, one at a time. */
const LATER_ROUTES = ['payments', 'shipments', 'orders'];
/** The route whose service is made faulty during its canary. */
export const FAULTY_ROUTE = 'reservations';
/** Canaries per route before the migration gives up on it (a loaded machine can fail a healthy stage). */
const ATTEMPTS_MAX = 3;

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(200);
  }
}

/**
 * The incident: at `BIG_BANG_FLIP_AT` of the run every route goes to the
 * services at once and the monolith is stopped (resilient mode first lets its
 * outbox drain: a careful decommission; naive just stops it), while the
 * scenario's timeline crashes inventory later on.
 */
export async function runBigBang(p: { def: ScenarioDefinition; shop: Shop; injector: FaultInjector; controller: MigrationController; durationMs: number; mode: Mode; log: (l: string) => void }): Promise<PlanOutcome> {
  const startMs = Date.now();
  let stuckOrdersMax = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      stuckOrdersMax = Math.max(stuckOrdersMax, stuckOrders(p.shop.dbPaths.orders));
      await sleep(STUCK_SAMPLE_MS);
    }
  })();
  const timeline = playTimeline(p.def, p.injector, p.durationMs, p.log);
  await sleep(BIG_BANG_FLIP_AT * p.durationMs);
  await p.controller.flipAll();
  const flipMs = Date.now();
  if (p.mode === 'resilient') {
    const deadline = Date.now() + 10_000;
    while (pendingEvents([p.shop.dbPaths.monolith]) > 0 && Date.now() < deadline) await sleep(100);
  }
  p.log('monolith decommissioned');
  await p.shop.process('monolith').stop();
  await timeline;
  await sleep(Math.max(0, startMs + p.durationMs - Date.now()));
  sampling = false;
  await sampler;
  return {
    monolithRunning: false,
    userWindow: { fromMs: flipMs, toMs: Date.now(), route: null, weightPct: null },
    beforeWindow: { fromMs: startMs, toMs: flipMs },
    stuckOrdersMax,
  };
}

/**
 * Route by route: notifications first, then inventory's reservations (made
 * faulty for the length of its canary: the rollback must fire), then, once
 * inventory is healthy again, inventory once more and the others. Each route
 * gets `ATTEMPTS_MAX` canaries; the migration is complete when all are at 100%.
 */
export async function runStrangler(p: { shop: Shop; injector: FaultInjector; controller: MigrationController; log: (l: string) => void }): Promise<PlanOutcome> {
  const migrate = async (route: string): Promise<boolean> => {
    for (let attempt = 1; attempt <= ATTEMPTS_MAX; attempt++) {
      if (await p.controller.canary(route)) return true;
      p.log(`${route}: canary rolled back (attempt ${attempt} of ${ATTEMPTS_MAX})`);
      // A p99 cannot be subtracted: after a latency rollback the next attempt starts in a fresh minute of the series.
      if (/p99/.test(p.controller.rollbackReasons.at(-1) ?? '')) await sleep(60_000 - (Date.now() % 60_000) + p.controller.settings.flushMs);
    }
    return false;
  };
  await migrate('notifications');

  const faulty = ROUTE_SPECS.find((r) => r.name === FAULTY_ROUTE)!;
  const fromMs = Date.now();
  p.log(`fault: ${faulty.service} answers 503 while ${faulty.prefix} is in canary`);
  await p.injector.chaos(faulty.service, { kind: 'error', status: 503, rate: 1 });
  const passed = await p.controller.canary(FAULTY_ROUTE);
  await p.injector.end(faulty.service);
  const toMs = Date.now();
  p.log(`fault ends: ${faulty.service} healthy again`);
  if (!passed) {
    await waitHealthy(p.shop.urls[faulty.service], 30_000);
    // Spans of the failed stage still on their way must not count against the next attempt.
    await sleep(p.controller.settings.flushMs);
    await migrate(FAULTY_ROUTE);
  }
  for (const route of LATER_ROUTES) await migrate(route);
  return { monolithRunning: true, userWindow: { fromMs, toMs, route: FAULTY_ROUTE, weightPct: p.controller.settings.stagesPct[0]! } };
}
