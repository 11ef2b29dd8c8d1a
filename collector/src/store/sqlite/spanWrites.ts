// Span writes of schema 3 (SQLite): keys first (a re-sent span is ignored there), then one block
// per trace of what is new. Also the 2 → 3 move of a `spans` table into blocks, and pruning.
import type Database from 'better-sqlite3';
import type { SpanKindName, SpanRecord } from '../../model.js';
import { byTrace, encodeBlock, idKey, idOfKey } from './spanBlocks.js';

const KEYS_PER_INSERT = 128;
const KEY_ROW = '(?, ?, ?, ?, ?)';
/** Rows of a v2 `spans` table moved into blocks per statement while migrating. */
const MIGRATE_ROWS_PER_READ = 20_000;

const isDeliveryKind = (kind: SpanKindName) => kind === 'server' || kind === 'consumer';

function pushKey(params: unknown[], s: SpanRecord): void {
  if (isDeliveryKind(s.kind)) params.push(idKey(s.traceId), idKey(s.spanId), s.parentSpanId === '' ? null : idKey(s.parentSpanId), s.service, s.kind);
  else params.push(idKey(s.traceId), idKey(s.spanId), null, null, null);
}

export interface SpanWriter {
  /** Stores the spans not stored before; returns them (once each, in input order). */
  insert(spans: readonly SpanRecord[]): SpanRecord[];
  /** Deletes a trace's blocks and keys. */
  deleteTrace(traceId: string): void;
  /** A trace's server / consumer spans of one service (what pairing a delivery reads). */
  deliverySpans(traceId: string, service: string): { traceId: string; spanId: string; parentSpanId: string; service: string; kind: SpanKindName }[];
}

export function spanWriter(db: Database.Database): SpanWriter {
  const keyChunk = db.prepare(`INSERT OR IGNORE INTO span_keys VALUES ${Array(KEYS_PER_INSERT).fill(KEY_ROW).join(', ')} RETURNING trace_id, span_id`).raw(true);
  const keyOne = db.prepare(`INSERT OR IGNORE INTO span_keys VALUES ${KEY_ROW}`);
  const block = db.prepare('INSERT INTO span_blocks (trace_id, data) VALUES (?, ?)');
  const delBlocks = db.prepare('DELETE FROM span_blocks WHERE trace_id = ?');
  const delKeys = db.prepare('DELETE FROM span_keys WHERE trace_id = ?');
  const deliveries = db.prepare("SELECT span_id, parent_span_id, service, kind FROM span_keys WHERE trace_id = ? AND service = ? AND kind IN ('server', 'consumer')").raw(true);
  return {
    insert(spans) {
      const fresh: SpanRecord[] = [];
      let i = 0;
      for (; i + KEYS_PER_INSERT <= spans.length; i += KEYS_PER_INSERT) {
        const params: unknown[] = [];
        for (let k = i; k < i + KEYS_PER_INSERT; k++) pushKey(params, spans[k]!);
        const stored = keyChunk.all(...params) as [Buffer | string, Buffer | string][];
        if (stored.length === KEYS_PER_INSERT) {
          for (let k = i; k < i + KEYS_PER_INSERT; k++) fresh.push(spans[k]!);
        } else {
          // Some were re-sent duplicates (or repeated within the chunk): keep the ones stored now, once each.
          const storedKeys = new Set(stored.map(([t, sp]) => `${idOfKey(t)}/${idOfKey(sp)}`));
          for (let k = i; k < i + KEYS_PER_INSERT; k++) if (storedKeys.delete(`${spans[k]!.traceId}/${spans[k]!.spanId}`)) fresh.push(spans[k]!);
        }
      }
      for (; i < spans.length; i++) {
        const params: unknown[] = [];
        pushKey(params, spans[i]!);
        if (keyOne.run(...params).changes > 0) fresh.push(spans[i]!);
      }
      for (const [traceId, list] of byTrace(fresh)) block.run(idKey(traceId), encodeBlock(list));
      return fresh;
    },
    deleteTrace(traceId) {
      const key = idKey(traceId);
      delBlocks.run(key);
      delKeys.run(key);
    },
    deliverySpans(traceId, service) {
      return (deliveries.all(idKey(traceId), service) as [Buffer, Buffer | null, string, SpanKindName][]).map(([span, parent, svc, kind]) => ({
        traceId, spanId: idOfKey(span), parentSpanId: parent === null ? '' : idOfKey(parent), service: svc, kind,
      }));
    },
  };
}

type V2Row = [string, string, string, string, string, string, number, number, number, string, string, string, string, string, string];

function parse<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/**
 * Version 2 → 3: moves the rows of `spans` into blocks and keys (one block per trace), then
 * drops the table. Runs inside the opening transaction, after SQLITE_SCHEMA created the new tables.
 */
export function migrateSpansToBlocks(db: Database.Database): void {
  const hasSpans = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'spans'").get() !== undefined;
  if (!hasSpans) return;
  const writer = spanWriter(db);
  const read = db.prepare('SELECT rowid, * FROM spans WHERE rowid > ? ORDER BY rowid LIMIT ?').raw(true);
  const resources = new Map<string, SpanRecord['resource']>();
  for (let after = 0; ; ) {
    const rows = read.all(after, MIGRATE_ROWS_PER_READ) as [number, ...V2Row][];
    if (rows.length === 0) break;
    after = rows[rows.length - 1]![0];
    const spans = rows.map(([, ...r]): SpanRecord => {
      let resource = resources.get(r[12]);
      if (!resource) resources.set(r[12], (resource = parse(r[12], {})));
      return {
        traceId: r[0], spanId: r[1], parentSpanId: r[2], service: r[3], name: r[4], kind: r[5] as SpanKindName, startMs: Number(r[6]), endMs: Number(r[7]),
        durationMs: Number(r[8]), status: r[9] as SpanRecord['status'], statusMessage: r[10], attributes: parse(r[11], {}), resource, events: parse(r[13], []), links: parse(r[14], []),
      };
    });
    writer.insert(spans);
  }
  db.exec('DROP TABLE spans');
}
