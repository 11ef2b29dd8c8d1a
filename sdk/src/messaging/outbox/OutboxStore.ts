import type { EventEnvelope } from '../envelope.js';

export interface PendingEvent {
  /** Outbox row id: publish order. */
  readonly rowId: number;
  readonly envelope: EventEnvelope;
  readonly createdAtMs: number;
}

export interface OutboxLag {
  /** Rows written but not yet acknowledged by the broker. */
  readonly pending: number;
  /** Age of the oldest pending row; 0 when nothing is pending. */
  readonly oldestAgeMs: number;
}

/** What the relay needs from an outbox, whatever the database. */
export interface OutboxStore {
  readonly source: string;
  ensureSchema(): Promise<void> | void;
  /**
   * Oldest unsent rows first, at most `limit`. A row whose stored envelope no
   * longer parses or validates (edited by hand) is taken out of the queue with
   * its reason in `last_error` instead of blocking every row behind it.
   */
  fetchPending(limit: number, cursor?: string): Promise<readonly PendingEvent[]>;
  /** Every row, sent or not, after `afterRowId` in publish order: for audits and replay drills. */
  history(afterRowId: number, limit: number): Promise<readonly PendingEvent[]>;
  /** With `cursor`: moves that named cursor past `rowIds` (a prefix) instead of setting `sent_at`. */
  markSent(rowIds: readonly number[], sentAtMs: number, cursor?: string): Promise<void>;
  recordFailure(rowId: number, error: string): Promise<void>;
  /** Deletes rows created before `beforeMs` that are sent, or passed by every cursor; returns how many. */
  pruneSent(beforeMs: number): Promise<number>;
  lag(nowMs: number, cursor?: string): Promise<OutboxLag>;
}

export interface OutboxOptions {
  /** The producing service's name, written into every envelope as `source`. */
  source: string;
  /** Table name prefix, may be schema-qualified for pg (`myschema.faultline_`). Default `faultline_`. */
  tablePrefix?: string;
}
