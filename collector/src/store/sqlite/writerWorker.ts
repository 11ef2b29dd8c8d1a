// The SQLite writer thread: owns the only writing connection, so that inserts (synchronous
// in better-sqlite3) never block the HTTP event loop, and decode and store run in parallel.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteTraceStore } from './SqliteTraceStore.js';
import type { SpanRecord } from '../../model.js';
import type { WriterReply, WriterRequest, WriterSetup } from './writerProtocol.js';

const setup = workerData as WriterSetup;
const port = parentPort!;
const utf8 = new TextDecoder();
let store: SqliteTraceStore;
try {
  store = new SqliteTraceStore({ path: setup.path, pendingEdgeMs: setup.pendingEdgeMs, synchronous: setup.synchronous });
  port.postMessage({ id: 0, ok: true, result: null } satisfies WriterReply);
} catch (e) {
  port.postMessage({ id: 0, ok: false, error: (e as Error).message } satisfies WriterReply);
  process.exit(1);
}

port.on('message', async (m: WriterRequest) => {
  try {
    let result: unknown = null;
    if (m.op === 'insert') result = await store.insertSpans(JSON.parse(utf8.decode(m.spans)) as SpanRecord[], m.nowMs);
    else if (m.op === 'resolve') result = await store.resolvePendingEdges(m.nowMs);
    else if (m.op === 'prune') result = await store.prune(m.cutoffMs, m.maxTraces);
    else if (m.op === 'check') await store.checkWritable();
    else if (m.op === 'annotate') await store.upsertAnnotations(m.annotations);
    else if (m.op === 'close') {
      await store.close();
      port.postMessage({ id: m.id, ok: true, result: null } satisfies WriterReply);
      port.close();
      return;
    }
    port.postMessage({ id: m.id, ok: true, result } satisfies WriterReply);
  } catch (e) {
    port.postMessage({ id: m.id, ok: false, error: (e as Error)?.message ?? String(e) } satisfies WriterReply);
  }
});
