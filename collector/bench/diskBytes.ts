// Bytes a span on disk: SQLite file size (WAL checkpointed, indexes and aggregates included)
// over the spans stored, for the benchmark's ordinary traces, decoded from OTLP as ingest does.
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DEFAULT_INGEST_LIMITS, decodeProtobufRequest } from '../src/ingest/index.js';
import { SqliteTraceStore } from '../src/store/sqlite/SqliteTraceStore.js';
import { makeTemplate, nextBatch } from './workload.js';

/** Requests of 512 spans per write transaction, as the write queue batches them under load. */
const REQUESTS_PER_TRANSACTION = 8;

export async function measureBytesPerSpan(path: string, spans: number): Promise<{ spans: number; fileBytes: number; bytesPerSpan: number }> {
  const store = new SqliteTraceStore({ path });
  const t = makeTemplate();
  let stored = 0;
  try {
    while (stored < spans) {
      const batch = Array.from({ length: REQUESTS_PER_TRANSACTION }, () => decodeProtobufRequest(nextBatch(t), DEFAULT_INGEST_LIMITS).spans).flat();
      stored += (await store.insertSpans(batch)).inserted;
    }
  } finally {
    await store.close();
  }
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const fileBytes = statSync(path).size;
  return { spans: stored, fileBytes, bytesPerSpan: Math.round(fileBytes / stored) };
}
