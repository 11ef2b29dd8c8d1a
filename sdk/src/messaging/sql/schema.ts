import { MessagingConfigError } from '../errors.js';

export type Dialect = 'sqlite' | 'pg';

// Optional `schema.` then a plain prefix: both end up inside SQL text, so only
// identifier characters are allowed.
const PREFIX = /^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$/;

export const DEFAULT_TABLE_PREFIX = 'faultline_';

export interface TableNames {
  readonly outbox: string;
  readonly outboxKeys: string;
  readonly outboxCursors: string;
  readonly inbox: string;
  readonly inboxKeys: string;
  readonly parked: string;
  readonly attempts: string;
  readonly deadLetters: string;
  /** Index names may not carry a schema in PostgreSQL. */
  readonly indexPrefix: string;
}

export function tableNames(prefix: string = DEFAULT_TABLE_PREFIX): TableNames {
  if (!PREFIX.test(prefix)) {
    throw new MessagingConfigError(`tablePrefix must match ${PREFIX.source} (optionally schema-qualified)`);
  }
  const dot = prefix.indexOf('.');
  return {
    outbox: `${prefix}outbox`,
    outboxKeys: `${prefix}outbox_keys`,
    outboxCursors: `${prefix}outbox_cursors`,
    inbox: `${prefix}inbox`,
    inboxKeys: `${prefix}inbox_keys`,
    parked: `${prefix}inbox_parked`,
    attempts: `${prefix}inbox_attempts`,
    deadLetters: `${prefix}dead_letters`,
    indexPrefix: dot >= 0 ? prefix.slice(dot + 1) : prefix,
  };
}

// SQLite: tables keyed by a composite TEXT key are stored once, in key order,
// instead of a rowid table plus an index: one B-tree to dirty per insert.
function keyed(d: Dialect): string {
  return d === 'sqlite' ? ' WITHOUT ROWID' : '';
}

function serial(d: Dialect): string {
  return d === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
}

export function outboxDdl(d: Dialect, t: TableNames): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.outbox} (
      id ${serial(d)},
      event_id TEXT NOT NULL UNIQUE,
      type TEXT NOT NULL,
      envelope TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      sent_at BIGINT,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT
    )`,
    // Partial index: the relay only ever scans unsent rows, in id order.
    `CREATE INDEX IF NOT EXISTS ${t.indexPrefix}outbox_pending ON ${t.outbox} (id) WHERE sent_at IS NULL`,
    `CREATE INDEX IF NOT EXISTS ${t.indexPrefix}outbox_sent ON ${t.outbox} (sent_at) WHERE sent_at IS NOT NULL`,
    `CREATE TABLE IF NOT EXISTS ${t.outboxKeys} (
      source TEXT NOT NULL,
      key TEXT NOT NULL,
      seq BIGINT NOT NULL,
      PRIMARY KEY (source, key)
    )${keyed(d)}`,
    // Per-subscriber progress for relays with a `cursor` (HTTP fan-out).
    `CREATE TABLE IF NOT EXISTS ${t.outboxCursors} (
      name TEXT PRIMARY KEY,
      last_row_id BIGINT NOT NULL
    )`,
  ];
}

export function inboxDdl(d: Dialect, t: TableNames): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.inbox} (
      consumer TEXT NOT NULL,
      event_id TEXT NOT NULL,
      status TEXT NOT NULL,
      processed_at BIGINT NOT NULL,
      PRIMARY KEY (consumer, event_id)
    )${keyed(d)}`,
    `CREATE TABLE IF NOT EXISTS ${t.inboxKeys} (
      consumer TEXT NOT NULL,
      source TEXT NOT NULL,
      key TEXT NOT NULL,
      last_seq BIGINT NOT NULL,
      PRIMARY KEY (consumer, source, key)
    )${keyed(d)}`,
    `CREATE TABLE IF NOT EXISTS ${t.parked} (
      consumer TEXT NOT NULL,
      event_id TEXT NOT NULL,
      source TEXT NOT NULL,
      key TEXT NOT NULL,
      seq BIGINT NOT NULL,
      envelope TEXT NOT NULL,
      parked_at BIGINT NOT NULL,
      PRIMARY KEY (consumer, event_id)
    )${keyed(d)}`,
    `CREATE INDEX IF NOT EXISTS ${t.indexPrefix}inbox_parked_key ON ${t.parked} (consumer, source, key, seq)`,
    `CREATE TABLE IF NOT EXISTS ${t.attempts} (
      consumer TEXT NOT NULL,
      event_id TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      last_error TEXT,
      PRIMARY KEY (consumer, event_id)
    )${keyed(d)}`,
    `CREATE TABLE IF NOT EXISTS ${t.deadLetters} (
      id ${serial(d)},
      consumer TEXT NOT NULL,
      event_id TEXT,
      type TEXT,
      reason TEXT NOT NULL,
      raw TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
  ];
}

/** `?` placeholders to `$1..$n`. Our SQL never contains a literal `?`. */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
