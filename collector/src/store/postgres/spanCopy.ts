// Span rows into PostgreSQL with COPY: the batch streams into a per-connection temporary table
// in COPY's text format (no JSON for the server to parse), then one INSERT … SELECT moves the
// new rows into `spans` in key order, so that concurrent collectors carrying the same re-sent
// span wait on each other in one order and never deadlock.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SpanRecord } from '../../model.js';
import { spanToRow } from '../rows.js';

/** Connections (pooled, long-lived) that already have the staging table of this session. */
const staged = new WeakSet<pg.PoolClient>();

/** COPY text format: backslash, and the characters that delimit fields and rows, escaped. */
function field(v: string | number): string {
  if (typeof v === 'number') return String(v);
  return /[\\\t\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}

/** Run before BEGIN: a temporary table created inside a transaction that rolls back would be gone. */
export async function prepareSpanCopy(client: pg.PoolClient): Promise<void> {
  if (staged.has(client)) return;
  await client.query('CREATE TEMP TABLE IF NOT EXISTS spans_in (LIKE spans) ON COMMIT DELETE ROWS');
  staged.add(client);
}

/** Inside the write transaction: stores the spans not stored before; returns the keys stored now. */
export async function copySpans(client: pg.PoolClient, spans: readonly SpanRecord[]): Promise<{ trace_id: string; span_id: string }[]> {
  if (spans.length === 0) return [];
  const lines: string[] = [];
  for (const s of spans) {
    const r = spanToRow(s);
    lines.push([r.trace_id, r.span_id, r.parent_span_id, r.service, r.name, r.kind, r.start_ms, r.end_ms, r.duration_ms, r.status, r.status_message, r.attributes, r.resource, r.events, r.links].map(field).join('\t'));
  }
  await pipeline(Readable.from([`${lines.join('\n')}\n`]), client.query(copyFrom('COPY spans_in FROM STDIN')));
  const inserted = await client.query<{ trace_id: string; span_id: string }>(
    'INSERT INTO spans SELECT * FROM spans_in ORDER BY trace_id, span_id ON CONFLICT (trace_id, span_id) DO NOTHING RETURNING trace_id, span_id',
  );
  // ON COMMIT DELETE ROWS empties it at commit; within a failed transaction ROLLBACK does.
  return inserted.rows;
}
