// Profiling aid (not part of `pnpm bench`): decode + raw SQLite insert in one thread, so
// `node --cpu-prof --import tsx bench/profileIngest.ts` shows where ingest time goes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_INGEST_LIMITS, decodeProtobufRequest } from '../src/ingest/index.js';
import { SqliteTraceStore } from '../src/store/sqlite/SqliteTraceStore.js';
import { makeTemplate, nextBatch } from './workload.js';

const seconds = Number(process.env.PROFILE_S ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'faultline-prof-'));
const store = new SqliteTraceStore({ path: join(dir, 'p.db') });
const t = makeTemplate();
let decodeMs = 0;
let insertMs = 0;
let spans = 0;
const started = performance.now();
while (performance.now() - started < seconds * 1000) {
  const a = performance.now();
  const batch = [];
  for (let i = 0; i < 8; i++) batch.push(...decodeProtobufRequest(nextBatch(t), DEFAULT_INGEST_LIMITS).spans);
  const b = performance.now();
  await store.insertSpans(batch);
  insertMs += performance.now() - b;
  decodeMs += b - a;
  spans += batch.length;
}
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(`decode ${Math.round(spans / (decodeMs / 1000))} spans/s, insert ${Math.round(spans / (insertMs / 1000))} spans/s, both ${Math.round(spans / ((decodeMs + insertMs) / 1000))} spans/s`);
