// Span writes of schema 3 (SQLite): per trace, the span ids stored so far make a re-sent span
// a no-op; what is new goes into blocks of up to BLOCK_SPANS spans, grouped by trace. Also the
// reads by trace, pruning (a block goes with its last trace), and the 2 → 3 move of `spans`.
import type Database from 'better-sqlite3';
import type { SpanKindName, SpanRecord } from '../../model.js';
import { appendSpanIds, BLOCK_SPANS, byTrace, decodeBlock, encodeBlock, idKey, spanIdsOf } from './spanBlocks.js';

/** Rows of a v2 `spans` table moved into blocks per statement while migrating. */
const MIGRATE_ROWS_PER_READ = 20_000;

const blockIdsOf = (text: string) => (text === '' ? [] : text.split(',').map(Number));

export interface SpanWriter {
  /** Stores the spans not stored before; returns them (once each, in input order). */
  insert(spans: readonly SpanRecord[]): SpanRecord[];
  /** Every span of a trace, in write order. `decoded` (per query) keeps inflated blocks for the next trace. */
  spansOf(traceId: string, resources?: Map<string, SpanRecord['resource']>, decoded?: Map<number, SpanRecord[]>): SpanRecord[];
  /** Deletes a trace's index row, and the blocks it was the last live trace of. */
  deleteTrace(traceId: string): void;
  /** The traces' server / consumer spans of each key's service (what pairing a delivery reads); each block inflated once. */
  deliverySpans(keys: readonly { traceId: string; service: string }[]): { traceId: string; spanId: string; parentSpanId: string; service: string; kind: SpanKindName }[];
}

export function spanWriter(db: Database.Database): SpanWriter {
  const getTrace = db.prepare('SELECT span_ids, blocks FROM trace_spans WHERE trace_id = ?').raw(true);
  const putTrace = db.prepare('INSERT OR REPLACE INTO trace_spans VALUES (?, ?, ?)');
  const putBlock = db.prepare('INSERT INTO span_blocks (traces, data) VALUES (?, ?)');
  const getBlock = db.prepare('SELECT data FROM span_blocks WHERE id = ?').pluck();
  const delTrace = db.prepare('DELETE FROM trace_spans WHERE trace_id = ?');
  const release = db.prepare('UPDATE span_blocks SET traces = traces - 1 WHERE id = ? RETURNING traces').pluck();
  const delBlock = db.prepare('DELETE FROM span_blocks WHERE id = ?');
  // The blocks the last insert wrote, as spans: pairing in the same transaction reads them without an inflate.
  let written = new Map<number, SpanRecord[]>();
  const spansOf = (traceId: string, resources?: Map<string, SpanRecord['resource']>, decoded?: Map<number, SpanRecord[]>): SpanRecord[] => {
    const row = getTrace.get(idKey(traceId)) as [Buffer, string] | undefined;
    if (!row) return [];
    return blockIdsOf(row[1]).flatMap((id) => {
      let all = decoded?.get(id);
      if (!all) {
        const data = getBlock.get(id) as Buffer | undefined;
        if (!data) return [];
        if (!decoded) return decodeBlock(data, traceId, resources);
        all = decodeBlock(data, undefined, resources);
        decoded.set(id, all);
      }
      return all.filter((s) => s.traceId === traceId);
    });
  };
  return {
    insert(spans) {
      const isFresh = new Array<boolean>(spans.length).fill(false);
      const index = new Map<SpanRecord, number>();
      spans.forEach((s, i) => index.set(s, i));
      const traces: { traceId: string; known: [Buffer, string] | undefined; fresh: SpanRecord[]; blocks: number[] }[] = [];
      for (const [traceId, list] of byTrace(spans)) {
        const known = getTrace.get(idKey(traceId)) as [Buffer, string] | undefined;
        const seen = spanIdsOf(known?.[0] ?? null);
        const fresh: SpanRecord[] = [];
        for (const s of list) {
          if (seen.has(s.spanId)) continue;
          seen.add(s.spanId);
          fresh.push(s);
          isFresh[index.get(s)!] = true;
        }
        if (fresh.length) traces.push({ traceId, known, fresh, blocks: [] });
      }
      // Blocks in trace order: a trace's spans share a block unless it straddles a boundary.
      written = new Map();
      let pending: SpanRecord[] = [];
      let members: (typeof traces)[number][] = [];
      const flush = () => {
        if (pending.length === 0) return;
        const id = Number(putBlock.run(members.length, encodeBlock(pending)).lastInsertRowid);
        written.set(id, pending);
        for (const m of members) m.blocks.push(id);
        pending = [];
        members = [];
      };
      for (const t of traces) {
        for (let at = 0; at < t.fresh.length; ) {
          const take = Math.min(t.fresh.length - at, BLOCK_SPANS - pending.length);
          pending.push(...t.fresh.slice(at, at + take));
          if (members.at(-1) !== t) members.push(t);
          at += take;
          if (pending.length === BLOCK_SPANS) flush();
        }
      }
      flush();
      for (const t of traces) {
        const blocks = [...blockIdsOf(t.known?.[1] ?? ''), ...t.blocks].join(',');
        putTrace.run(idKey(t.traceId), appendSpanIds(t.known?.[0] ?? null, t.fresh.map((s) => s.spanId)), blocks);
      }
      return spans.filter((_, i) => isFresh[i]);
    },
    spansOf,
    deleteTrace(traceId) {
      const key = idKey(traceId);
      const row = getTrace.get(key) as [Buffer, string] | undefined;
      if (!row) return;
      delTrace.run(key);
      for (const id of blockIdsOf(row[1])) {
        const left = release.get(id) as number | undefined;
        if (left !== undefined && left <= 0) delBlock.run(id);
      }
    },
    deliverySpans(keys) {
      const decoded = new Map(written);
      return keys.flatMap(({ traceId, service }) =>
        spansOf(traceId, undefined, decoded)
          .filter((s) => s.service === service && (s.kind === 'server' || s.kind === 'consumer'))
          .map((s) => ({ traceId, spanId: s.spanId, parentSpanId: s.parentSpanId, service: s.service, kind: s.kind })),
      );
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
