import type { Db } from '../db.js';
import type { ShopEvent } from './envelope.js';

// TODO(sdk messaging): swap for the SDK's idempotent consumer once it lands.
export const INBOX_SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox (
  event_id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  received_ms INTEGER NOT NULL
);
`;

/**
 * Applies `effect` at most once per event id: the inbox row and the effect
 * commit in one transaction, so a redelivery after a crash is a no-op.
 * Returns false for a duplicate.
 */
export function consumeOnce(db: Db, event: ShopEvent, effect: () => void): boolean {
  return db.transaction(() => {
    const inserted = db.prepare('INSERT OR IGNORE INTO inbox (event_id, type, received_ms) VALUES (?, ?, ?)').run(event.id, event.type, Date.now());
    if (inserted.changes === 0) return false;
    effect();
    return true;
  })();
}
