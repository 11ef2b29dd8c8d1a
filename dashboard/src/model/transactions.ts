// Pure transforms for the Transactions page: grouping with ages, and one transaction's timeline.
import type { TransactionDetail, TransactionSummary } from '../api/types.js';

export interface TransactionRow extends TransactionSummary {
  /** Since the transaction started. */
  ageMs: number;
  /** Since its last progress. */
  idleMs: number;
}

export interface TransactionGroups {
  inFlight: TransactionRow[];
  stuck: TransactionRow[];
  compensating: TransactionRow[];
  finished: TransactionRow[];
}

/** Active groups oldest first (what has waited longest matters most); finished ones newest first. */
export function groupTransactions(list: readonly TransactionSummary[], nowMs: number): TransactionGroups {
  const groups: TransactionGroups = { inFlight: [], stuck: [], compensating: [], finished: [] };
  for (const t of list) {
    const row: TransactionRow = { ...t, services: [...t.services], traceIds: [...t.traceIds], ageMs: Math.max(0, nowMs - t.startedMs), idleMs: Math.max(0, nowMs - t.updatedMs) };
    if (t.state === 'running') groups.inFlight.push(row);
    else if (t.state === 'stuck') groups.stuck.push(row);
    else if (t.state === 'compensating') groups.compensating.push(row);
    else groups.finished.push(row);
  }
  const oldestFirst = (a: TransactionRow, b: TransactionRow) => a.startedMs - b.startedMs || (a.id < b.id ? -1 : 1);
  groups.inFlight.sort(oldestFirst);
  groups.stuck.sort(oldestFirst);
  groups.compensating.sort(oldestFirst);
  groups.finished.sort((a, b) => b.updatedMs - a.updatedMs || (a.id < b.id ? -1 : 1));
  return groups;
}

export interface TimelineRow {
  name: string;
  service: string;
  state: string;
  traceId: string;
  startMs: number;
  endMs: number | null;
  /** Position in the transaction's extent, 0–100. */
  leftPct: number;
  widthPct: number;
}

export interface Timeline {
  startMs: number;
  endMs: number;
  rows: TimelineRow[];
}

/** Minimum bar width so that an instant step stays visible. */
const MIN_WIDTH_PCT = 0.8;

/** Steps in time order on the transaction's extent; an unfinished step runs to `nowMs` for a live transaction. */
export function transactionTimeline(tx: TransactionDetail, nowMs: number): { result: Timeline; warnings: string[] } {
  const warnings: string[] = [];
  const live = tx.state === 'running' || tx.state === 'compensating' || tx.state === 'stuck';
  const steps = [...tx.steps].sort((a, b) => a.startMs - b.startMs);
  const startMs = Math.min(tx.startedMs, ...steps.map((s) => s.startMs));
  const ends = steps.map((s) => s.endMs ?? (live ? nowMs : s.startMs));
  const endMs = Math.max(tx.updatedMs, live ? nowMs : startMs, ...ends);
  const extent = Math.max(1, endMs - startMs);
  const rows = steps.map((s, i) => {
    const end = ends[i]!;
    if (s.endMs !== null && s.endMs < s.startMs) warnings.push(`step ${s.name} ends before it starts`);
    const leftPct = ((s.startMs - startMs) / extent) * 100;
    const widthPct = Math.max(MIN_WIDTH_PCT, (Math.max(0, end - s.startMs) / extent) * 100);
    return { name: s.name, service: s.service, state: s.state, traceId: s.traceId, startMs: s.startMs, endMs: s.endMs, leftPct, widthPct: Math.min(widthPct, 100 - Math.min(leftPct, 100 - MIN_WIDTH_PCT)) };
  });
  return { result: { startMs, endMs, rows }, warnings };
}
