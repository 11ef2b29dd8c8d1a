import type { Mode } from '../lib/config.js';
import type { FaultRecord } from './faults.js';
import type { Invariants } from './invariants.js';

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
  ];
  return lines.filter(Boolean).join('\n');
}
