import type { Db } from '../db.js';
import { newEventId, type ShopEvent } from './envelope.js';

// TODO(sdk messaging): swap for the SDK's better-sqlite3 outbox once `@faultline/sdk/messaging` exports it.
export const OUTBOX_SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  event_key TEXT,
  sequence INTEGER,
  body TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  published_ms INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox(published_ms, seq);
`;

export interface NewShopEvent {
  type: string;
  key: string;
  payload: Record<string, unknown>;
  correlationId?: string;
}

/**
 * Writes an event into the outbox. Must be called inside the caller's
 * transaction, so the event exists exactly when the state change does.
 */
export function enqueueEvent(db: Db, source: string, event: NewShopEvent): ShopEvent {
  const row = db.prepare('SELECT COALESCE(MAX(sequence), 0) AS s FROM outbox WHERE event_key = ?').get(event.key) as { s: number };
  const envelope: ShopEvent = {
    id: newEventId(),
    type: event.type,
    source,
    time: new Date().toISOString(),
    ...(event.correlationId ? { correlationId: event.correlationId } : {}),
    key: event.key,
    sequence: row.s + 1,
    payload: event.payload,
  };
  db.prepare('INSERT INTO outbox (id, type, event_key, sequence, body, created_ms) VALUES (?, ?, ?, ?, ?, ?)').run(
    envelope.id,
    envelope.type,
    envelope.key,
    envelope.sequence,
    JSON.stringify(envelope),
    Date.now(),
  );
  return envelope;
}

export function pendingOutbox(db: Db, limit: number): { seq: number; event: ShopEvent }[] {
  const rows = db.prepare('SELECT seq, body FROM outbox WHERE published_ms IS NULL ORDER BY seq LIMIT ?').all(limit) as { seq: number; body: string }[];
  return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.body) as ShopEvent }));
}

export function markPublished(db: Db, seq: number): void {
  db.prepare('UPDATE outbox SET published_ms = ?, attempts = attempts + 1 WHERE seq = ?').run(Date.now(), seq);
}

export function markAttempt(db: Db, seq: number): void {
  db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?').run(seq);
}
