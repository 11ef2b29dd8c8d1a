import type { Mode } from '../lib/config.js';
import type { FaultRecord } from './faults.js';
import type { Invariants } from './invariants.js';
import type { MigrationStep } from '../migration/controller.js';
import type { ReadModelReport } from '../migration/sides.js';

/** The contract's `migration` object of a migration scenario's report. */
export interface MigrationReport {
  steps: Pick<MigrationStep, 'route' | 'fromWeight' | 'toWeight' | 'atMs' | 'outcome'>[];
  rollbacks: number;
  completed: boolean;
  /** Orders placed through the gateway, by the side that took them. */
  servedBy: { monolith: number; services: number };
}

/** Extras of a migration run (outside the contract's `migration` object). */
export interface MigrationDetails {
  /** Why each automatic rollback happened. */
  rollbackReasons: string[];
  canary: { stagesPct: number[]; stageMs: number; errorRateMargin: number; p99Ratio: number; p99SlackMs: number; minRequests: number };
  /** Requests on each route, and which side answered them. */
  routes: Record<string, { requests: number; failed: number; monolith: number; services: number }>;
  /** What users saw while the faulty service was in its canary (strangler), or after the flip (big bang). */
  userErrors: {
    fromMs: number;
    toMs: number;
    requests: number;
    failed: number;
    errorRate: number;
    /** The most the fault could have reached: requests routed to the faulty service's canary buckets, over all requests (strangler). */
    boundErrorRate: number | null;
  };
  /** Big bang: what users saw before the flip (the error-rate jump is `userErrors` against this). */
  beforeMigration: { requests: number; failed: number; errorRate: number } | null;
  /** Big bang: most orders stuck at once (unfinished for over 5 s) in orders' database during the run. */
  stuckOrdersMax: number | null;
  /** Orders the two sides disagree on once settled (the data sync's check). */
  sidesDisagree: number;
  /** Where the canary read its figures and the annotations went. */
  collector: { url: string; started: boolean; annotationFailures: number };
  finalWeights: Record<string, number>;
}

export interface WindowStats {
  requests: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
}

/** The contract's scenario report, plus extra fields (the listed ones keep their names and meaning). */
export interface ScenarioReport {
  scenario: string;
  mode: Mode;
  seed: number;
  requests: number;
  ok: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  faults: { service: string; kind: string; startMs: number; endMs: number }[];
  invariants: Invariants;
  /** Extra: `service.namespace` of this run's spans (`GET /api/traces?namespace=…`). */
  namespace?: string;
  /** Extra: how events travelled (`http`, `nats`, `rabbitmq`). */
  broker?: string;
  /** Extra: answers by HTTP status (0 = no answer before the client timeout). */
  statuses: Record<string, number>;
  /** Extra: requests due while a fault was active. */
  duringFault: WindowStats;
  /** Extra: calls the focus service received per request sent, e.g. inventory `POST /reservations`; null when it was restarted. */
  attemptsPerRequest: number | null;
  focus: string | null;
  /** Extra: breaker openings seen in orders, per target (resilient mode). */
  breakersOpened: Record<string, number>;
  settled: boolean;
  settleMs: number;
  durationMs: number;
  rps: number;
  /** Migration scenarios only (contract). */
  migration?: MigrationReport;
  /** Migration scenarios only: the CQRS order-history view against the write side. */
  readModel?: ReadModelReport;
  migrationDetails?: MigrationDetails;
}

/** True when the run broke a business invariant (what makes a resilient run exit non-zero). */
export function brokeInvariants(inv: Invariants): boolean {
  return inv.inconsistent > 0 || inv.doubleCharges > 0 || inv.chargedWithoutReservation > 0 || inv.reservedWithoutPayment > 0 || inv.pending > 0;
}

export function closeFaults(records: FaultRecord[], fallbackEndMs: number): ScenarioReport['faults'] {
  return records.map((r) => ({ service: r.service, kind: r.kind, startMs: r.startMs, endMs: r.endMs ?? fallbackEndMs }));
}

export function formatReport(r: ScenarioReport): string {
  const inv = r.invariants;
  const lines = [
    `scenario ${r.scenario} (${r.mode}, seed ${r.seed}, ${r.rps} rps for ${Math.round(r.durationMs / 1000)} s)`,
    ...(r.namespace ? [`  spans marked service.namespace=${r.namespace}${r.broker ? `, events over ${r.broker}` : ''}`] : []),
    `  requests ${r.requests}: ok ${r.ok}, failed ${r.failed}; p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
    `  during faults: ${r.duringFault.requests} requests, ${r.duringFault.failed} failed, p99 ${r.duringFault.p99Ms} ms`,
    `  statuses ${Object.entries(r.statuses).map(([k, v]) => `${k}:${v}`).join(' ')}`,
    ...r.faults.map((f) => `  fault ${f.kind} on ${f.service} for ${f.endMs - f.startMs} ms`),
    r.attemptsPerRequest !== null ? `  attempts per request on ${r.focus}: ${r.attemptsPerRequest.toFixed(2)}` : '',
    Object.keys(r.breakersOpened).length ? `  breakers opened: ${JSON.stringify(r.breakersOpened)}` : '',
    `  orders ${inv.orders}: confirmed ${inv.confirmed}, cancelled ${inv.cancelled}, pending ${inv.pending}`,
    `  charged without reservation ${inv.chargedWithoutReservation}, double charges ${inv.doubleCharges}, reserved without payment ${inv.reservedWithoutPayment}`,
    `  inconsistent ${inv.inconsistent}, notifications missing ${inv.notificationsMissing}, reconciler repairs ${inv.reconciled}`,
    `  ${r.settled ? `settled after ${r.settleMs} ms` : `NOT settled after ${r.settleMs} ms`}`,
    ...(r.migration ? formatMigration(r) : []),
  ];
  return lines.filter(Boolean).join('\n');
}

function formatMigration(r: ScenarioReport): string[] {
  const m = r.migration!;
  const d = r.migrationDetails;
  const lines = [
    `  migration ${m.completed ? 'completed' : 'NOT completed'}: ${m.steps.length} weight changes, ${m.rollbacks} automatic rollbacks; orders served by the monolith ${m.servedBy.monolith}, by the services ${m.servedBy.services}`,
    ...m.steps.map((s) => `    ${new Date(s.atMs).toISOString().slice(11, 23)} ${s.route} ${s.fromWeight}% → ${s.toWeight}% ${s.outcome}`),
  ];
  if (d) {
    lines.push(...d.rollbackReasons.map((reason) => `  rollback: ${reason}`));
    const u = d.userErrors;
    lines.push(`  users during the fault: ${u.failed}/${u.requests} failed (${(u.errorRate * 100).toFixed(2)}%${u.boundErrorRate !== null ? `, bound ${(u.boundErrorRate * 100).toFixed(2)}%` : ''})`);
    if (d.beforeMigration) lines.push(`  users before the flip: ${d.beforeMigration.failed}/${d.beforeMigration.requests} failed (${(d.beforeMigration.errorRate * 100).toFixed(2)}%); most orders stuck at once: ${d.stuckOrdersMax}`);
    lines.push(`  sides disagree on ${d.sidesDisagree} orders`);
  }
  if (r.readModel) {
    const rm = r.readModel;
    lines.push(`  read model ${rm.converged ? 'converged' : `NOT converged (${rm.mismatched} orders differ)`}: ${rm.orders} orders, lag p50 ${rm.lagP50Ms} ms, p99 ${rm.lagP99Ms} ms, max ${rm.lagMaxMs} ms`);
  }
  return lines;
}
