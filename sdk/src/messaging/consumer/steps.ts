import type { EventEnvelope } from '../envelope.js';
import type { Dialect, TableNames } from '../sql/schema.js';
import { get, run, all, type Row, type Steps } from './InboxDriver.js';

/** What happened to one delivery. Transports ack everything but `retry`. */
export type ConsumeOutcome =
  | { readonly kind: 'processed'; readonly eventId: string; readonly late: boolean }
  /** No handler for this type: recorded (and its sequence slot used) so it never blocks a key. */
  | { readonly kind: 'ignored'; readonly eventId: string }
  | { readonly kind: 'duplicate'; readonly eventId: string }
  /** Out of order: stored until its predecessor arrives or the park timeout passes. */
  | { readonly kind: 'parked'; readonly eventId: string }
  | { readonly kind: 'retry'; readonly eventId: string; readonly attempt: number; readonly retryInMs: number; readonly error: Error }
  | { readonly kind: 'dead-lettered'; readonly eventId?: string; readonly reason: string; readonly malformed: boolean };

export interface StepContext {
  readonly t: TableNames;
  readonly dialect: Dialect;
  readonly consumer: string;
  readonly nowMs: number;
}

function forUpdate(c: StepContext): string {
  return c.dialect === 'pg' ? ' FOR UPDATE' : '';
}

/** Locks (pg) or reads (sqlite, already under the write lock) the per-key cursor. */
export function* lockKey(c: StepContext, source: string, key: string): Steps<number> {
  yield run(`INSERT INTO ${c.t.inboxKeys} (consumer, source, key, last_seq) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING`,
    c.consumer, source, key);
  const row = (yield get(`SELECT last_seq FROM ${c.t.inboxKeys} WHERE consumer = ? AND source = ? AND key = ?${forUpdate(c)}`,
    c.consumer, source, key)) as Row;
  return Number(row.last_seq);
}

function setLastSeq(c: StepContext, source: string, key: string, seq: number) {
  return run(`UPDATE ${c.t.inboxKeys} SET last_seq = ? WHERE consumer = ? AND source = ? AND key = ? AND last_seq < ?`,
    seq, c.consumer, source, key, seq);
}

export function isOrdered(e: EventEnvelope, ordering: boolean): e is EventEnvelope & { key: string; sequence: number } {
  return ordering && e.key !== undefined && e.sequence !== undefined;
}

/**
 * First delivery path. The inbox row is inserted before anything else: in
 * pg a concurrent copy of the same event then blocks on the primary key and
 * sees a conflict once the first commits, so the handler never runs twice.
 */
export function* receiveSteps(c: StepContext, e: EventEnvelope, ordering: boolean, hasHandler: boolean): Steps<ConsumeOutcome> {
  const status = hasHandler ? 'processed' : 'ignored';
  const ins = (yield run(`INSERT INTO ${c.t.inbox} (consumer, event_id, status, processed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    c.consumer, e.id, status, c.nowMs)) as { changes: number };
  if (ins.changes === 0) return { kind: 'duplicate', eventId: e.id };
  let late = false;
  if (isOrdered(e, ordering)) {
    const last = yield* lockKey(c, e.source, e.key);
    if (e.sequence > last + 1) {
      yield run(`INSERT INTO ${c.t.parked} (consumer, event_id, source, key, seq, envelope, parked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING`, c.consumer, e.id, e.source, e.key, e.sequence, JSON.stringify(e), c.nowMs);
      yield run(`UPDATE ${c.t.inbox} SET status = 'parked' WHERE consumer = ? AND event_id = ?`, c.consumer, e.id);
      return { kind: 'parked', eventId: e.id };
    }
    // At or below the cursor yet unseen: its gap was given up on after the
    // park timeout. Applying it late beats losing it; the handler is told.
    late = e.sequence <= last;
    if (!late) yield setLastSeq(c, e.source, e.key, e.sequence);
  }
  if (!hasHandler) return { kind: 'ignored', eventId: e.id };
  yield { op: 'call', event: e, late };
  return { kind: 'processed', eventId: e.id, late };
}

export interface ParkedHead {
  readonly envelope: EventEnvelope;
}

/** The parked event that is next in line for a key, if it has arrived. */
export function* nextParkedSteps(c: StepContext, source: string, key: string): Steps<ParkedHead | undefined> {
  const row = (yield get(`SELECT p.envelope FROM ${c.t.parked} p JOIN ${c.t.inboxKeys} k
      ON k.consumer = p.consumer AND k.source = p.source AND k.key = p.key
    WHERE p.consumer = ? AND p.source = ? AND p.key = ? AND p.seq = k.last_seq + 1`, c.consumer, source, key)) as Row | undefined;
  return row ? { envelope: JSON.parse(String(row.envelope)) as EventEnvelope } : undefined;
}

/** Applies a parked event if it is still next in line (another drain may have won). */
export function* applyParkedSteps(c: StepContext, e: EventEnvelope & { key: string; sequence: number }, hasHandler: boolean): Steps<ConsumeOutcome | undefined> {
  const last = yield* lockKey(c, e.source, e.key);
  if (e.sequence !== last + 1) return undefined;
  const del = (yield run(`DELETE FROM ${c.t.parked} WHERE consumer = ? AND event_id = ?`, c.consumer, e.id)) as { changes: number };
  if (del.changes === 0) return undefined;
  yield run(`UPDATE ${c.t.inbox} SET status = ?, processed_at = ? WHERE consumer = ? AND event_id = ?`,
    hasHandler ? 'processed' : 'ignored', c.nowMs, c.consumer, e.id);
  yield setLastSeq(c, e.source, e.key, e.sequence);
  if (!hasHandler) return { kind: 'ignored', eventId: e.id };
  yield { op: 'call', event: e, late: false };
  return { kind: 'processed', eventId: e.id, late: false };
}

export interface FailurePolicy {
  readonly maxAttempts: number;
  readonly retryInitialDelayMs: number;
  readonly retryMaxDelayMs: number;
}

/**
 * Counts a failed attempt in its own transaction (the handler's was rolled
 * back). At `maxAttempts` the event is dead-lettered and marked done in the
 * inbox, and its key's cursor moves past it so successors are not stuck.
 */
export function* failureSteps(
  c: StepContext, e: EventEnvelope, error: Error, policy: FailurePolicy, ordering: boolean, wasParked: boolean,
  /** Dead-letter now with this reason, whatever the attempt count. */
  giveUpReason?: string,
): Steps<ConsumeOutcome> {
  const message = error.message.slice(0, 1000);
  yield run(`INSERT INTO ${c.t.attempts} AS a (consumer, event_id, attempts, last_error) VALUES (?, ?, 1, ?)
    ON CONFLICT (consumer, event_id) DO UPDATE SET attempts = a.attempts + 1, last_error = excluded.last_error`, c.consumer, e.id, message);
  const row = (yield get(`SELECT attempts FROM ${c.t.attempts} WHERE consumer = ? AND event_id = ?`, c.consumer, e.id)) as Row;
  const attempt = Number(row.attempts);
  if (attempt < policy.maxAttempts && giveUpReason === undefined) {
    const retryInMs = Math.min(policy.retryMaxDelayMs, policy.retryInitialDelayMs * 2 ** (attempt - 1));
    return { kind: 'retry', eventId: e.id, attempt, retryInMs, error };
  }
  if (wasParked) {
    const del = (yield run(`DELETE FROM ${c.t.parked} WHERE consumer = ? AND event_id = ?`, c.consumer, e.id)) as { changes: number };
    if (del.changes === 0) return { kind: 'duplicate', eventId: e.id };
    yield run(`UPDATE ${c.t.inbox} SET status = 'dead', processed_at = ? WHERE consumer = ? AND event_id = ?`, c.nowMs, c.consumer, e.id);
  } else {
    const ins = (yield run(`INSERT INTO ${c.t.inbox} (consumer, event_id, status, processed_at) VALUES (?, ?, 'dead', ?) ON CONFLICT DO NOTHING`,
      c.consumer, e.id, c.nowMs)) as { changes: number };
    if (ins.changes === 0) return { kind: 'duplicate', eventId: e.id };
  }
  const reason = giveUpReason ?? `handler failed ${attempt} times: ${message}`;
  yield run(`INSERT INTO ${c.t.deadLetters} (consumer, event_id, type, reason, raw, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    c.consumer, e.id, e.type, reason, JSON.stringify(e), c.nowMs);
  if (isOrdered(e, ordering)) {
    yield* lockKey(c, e.source, e.key);
    yield setLastSeq(c, e.source, e.key, e.sequence);
  }
  return { kind: 'dead-lettered', eventId: e.id, reason, malformed: false };
}

export function* malformedSteps(c: StepContext, eventId: string | undefined, type: string | undefined, reason: string, raw: string): Steps<void> {
  yield run(`INSERT INTO ${c.t.deadLetters} (consumer, event_id, type, reason, raw, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    c.consumer, eventId ?? null, type ?? null, reason, raw, c.nowMs);
}

export interface ParkedGroup {
  readonly source: string;
  readonly key: string;
  readonly minSeq: number;
  readonly oldestParkedAtMs: number;
}

export function* parkedGroupsSteps(c: StepContext, limit: number): Steps<ParkedGroup[]> {
  const rows = (yield all(`SELECT source, key, MIN(seq) AS min_seq, MIN(parked_at) AS oldest FROM ${c.t.parked}
    WHERE consumer = ? GROUP BY source, key ORDER BY MIN(parked_at) LIMIT ?`, c.consumer, limit)) as Row[];
  return rows.map((r) => ({ source: String(r.source), key: String(r.key), minSeq: Number(r.min_seq), oldestParkedAtMs: Number(r.oldest) }));
}

/** Gives up on a gap: moves the cursor to just before the first parked event. */
export function* skipGapSteps(c: StepContext, g: ParkedGroup): Steps<boolean> {
  const last = yield* lockKey(c, g.source, g.key);
  if (last >= g.minSeq - 1) return false;
  yield setLastSeq(c, g.source, g.key, g.minSeq - 1);
  return true;
}

export interface DeadLetterRow {
  readonly id: number;
  readonly consumer: string;
  readonly eventId: string | null;
  readonly type: string | null;
  readonly reason: string;
  readonly raw: string;
  readonly createdAtMs: number;
}

export function* deadLettersSteps(c: StepContext, limit: number): Steps<DeadLetterRow[]> {
  const rows = (yield all(`SELECT id, consumer, event_id, type, reason, raw, created_at FROM ${c.t.deadLetters}
    WHERE consumer = ? ORDER BY id LIMIT ?`, c.consumer, limit)) as Row[];
  return rows.map((r) => ({
    id: Number(r.id), consumer: String(r.consumer), eventId: r.event_id == null ? null : String(r.event_id),
    type: r.type == null ? null : String(r.type), reason: String(r.reason), raw: String(r.raw), createdAtMs: Number(r.created_at),
  }));
}

export function* pruneInboxSteps(c: StepContext, beforeMs: number): Steps<number> {
  const r = (yield run(`DELETE FROM ${c.t.inbox} WHERE consumer = ? AND processed_at < ? AND status <> 'parked'`, c.consumer, beforeMs)) as { changes: number };
  return r.changes;
}
