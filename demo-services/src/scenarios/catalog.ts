import type { Fault } from '../lib/chaos.js';
import type { ServiceName } from '../lib/config.js';

export interface TimelineEntry {
  service: ServiceName;
  fault: 'down' | Fault;
  /** Start and end as fractions of the load duration. */
  from: number;
  to: number;
}

export interface ScenarioDefinition {
  name: string;
  description: string;
  /** What to look at in the dashboard while it runs. */
  lookAt: string;
  timeline: TimelineEntry[];
  /** Load multiplier over the base rate at a fraction of the duration. Default 1. */
  rateFactor?: (fraction: number) => number;
  /** Extra env for every service, by mode. */
  env?: (baseRps: number) => Record<string, string>;
  /** The service whose received attempts per request the report shows. */
  focus?: { service: ServiceName; route: string };
  /** The service the collector should rank first. */
  rootCause?: ServiceName;
  /**
   * A migration scenario: the monolith behind the strangler-fig gateway, then
   * `big-bang` (every route flipped at once, the monolith stopped) or
   * `strangler` (route by route with canary stages). Its timeline is played
   * by the migration runner (src/scenarios/migrationRunner.ts).
   */
  migration?: 'big-bang' | 'strangler';
}

const FAULT_FROM = 0.15;
const FAULT_TO = 0.7;

function flapping(service: ServiceName, from: number, to: number, cycles: number): TimelineEntry[] {
  const step = (to - from) / cycles;
  return Array.from({ length: cycles }, (_, i) => ({ service, fault: 'down' as const, from: from + i * step, to: from + i * step + step / 2 }));
}

export const SCENARIOS: readonly ScenarioDefinition[] = [
  {
    name: 'payments-down',
    description: 'payments crashes (SIGKILL, port black-holed) and comes back: breaker opens, orders fail fast and are compensated',
    lookAt: 'the orders→payments edge turns red, then its breaker opens (short-circuits) while gateway latency stays flat',
    timeline: [{ service: 'payments', fault: 'down', from: FAULT_FROM, to: FAULT_TO }],
    focus: { service: 'payments', route: 'POST /payments' },
    rootCause: 'payments',
  },
  {
    name: 'inventory-down',
    description: 'the incident: inventory crashes after payments captured; naive leaves charges without stock, resilient compensates',
    lookAt: 'root causes rank inventory first; in naive mode payments→inventory errors pile up behind captured charges',
    timeline: [{ service: 'inventory', fault: 'down', from: FAULT_FROM, to: FAULT_TO }],
    focus: { service: 'inventory', route: 'POST /reservations' },
    rootCause: 'inventory',
  },
  {
    name: 'inventory-slow',
    description: 'inventory answers after 4 s: timeouts and deadlines cut the wait, the breaker sheds the slow dependency',
    lookAt: 'p99 of the orders→inventory edge, timeout events on its spans, the critical path in a slow trace',
    timeline: [{ service: 'inventory', fault: { kind: 'latency', ms: 4000, rate: 1 }, from: FAULT_FROM, to: FAULT_TO }],
    focus: { service: 'inventory', route: 'POST /reservations' },
    rootCause: 'inventory',
  },
  {
    name: 'retry-storm',
    description: 'inventory answers 503 to 90% of calls while every layer retries: naive multiplies the load, the retry budget caps it',
    lookAt: 'retries per edge and attempts per request on inventory; budget-exhausted events in resilient mode',
    timeline: [{ service: 'inventory', fault: { kind: 'error', status: 503, rate: 0.9 }, from: FAULT_FROM, to: 0.8 }],
    env: () => ({ NAIVE_RETRIES: '3' }),
    focus: { service: 'inventory', route: 'POST /reservations' },
    rootCause: 'inventory',
  },
  {
    name: 'late-success',
    description: 'half of the payments take 3 s, after the caller timed out: retries with the same key charge once',
    lookAt: 'a trace with a timed-out capture attempt followed by a replayed one; payments→orders idempotency events',
    timeline: [{ service: 'payments', fault: { kind: 'latency', ms: 3000, rate: 0.5 }, from: FAULT_FROM, to: FAULT_TO }],
    focus: { service: 'payments', route: 'POST /payments' },
    rootCause: 'payments',
  },
  {
    name: 'notifications-flapping',
    description: 'notifications goes down and up twice: events back up in the outboxes and drain, nothing is lost',
    lookAt: 'the notifications node flickering while orders stay green; the event edges catching up after each restart',
    timeline: flapping('notifications', 0.1, 0.8, 2),
    rootCause: 'notifications',
  },
  {
    name: 'traffic-spike',
    description: 'load jumps to 6x for a while: the gateway sheds the excess with 429 instead of collapsing',
    lookAt: 'gateway 429s rise while p99 of admitted requests stays flat; in naive mode every edge slows down',
    timeline: [],
    rateFactor: (f) => (f >= 0.3 && f < 0.6 ? 6 : 1),
    env: (baseRps) => ({ RATE_LIMIT_RPS: String(Math.max(5, Math.round(baseRps * 2))) }),
  },
  {
    name: 'big-bang-migration',
    description: 'the incident: every route flipped from the monolith to the services at once, the monolith stopped, then inventory crashes',
    lookAt: 'route.weight annotations all at one instant, the monolith node going quiet, then inventory red and (naive) payments→inventory errors behind captured charges',
    // Fractions of the run; the flip itself is at BIG_BANG_FLIP_AT.
    timeline: [{ service: 'inventory', fault: 'down', from: 0.45, to: 0.85 }],
    rootCause: 'inventory',
    migration: 'big-bang',
  },
  {
    name: 'strangler-migration',
    description: 'route by route behind the gateway with canary stages; inventory fails during its canary, the rollback fires, the migration completes once it is healthy',
    lookAt: 'route.weight annotations at every stage, a canary.rollback annotation on inventory, monolith and services side by side on the map',
    timeline: [],
    rootCause: 'inventory',
    migration: 'strangler',
  },
];

/** The scenarios that can be played on a running shop (the demo's chaos panel): all but the migrations, which build their own shop. */
export const LIVE_SCENARIOS: readonly ScenarioDefinition[] = SCENARIOS.filter((s) => !s.migration);

/** When the big bang flips every route, as a fraction of the run. */
export const BIG_BANG_FLIP_AT = 0.25;

export function findScenario(name: string): ScenarioDefinition | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
