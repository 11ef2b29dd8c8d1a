// SQLite with a writer thread: writes go to a worker that owns the writing connection;
// reads use a second connection on this thread (WAL lets them run beside the writer).
import { Worker } from 'node:worker_threads';
import type { GraphInput, ServiceSeries } from '../../analysis/index.js';
import type { SpanRecord } from '../../model.js';
import type { BreakerTransition, StoredAnnotation } from '../../analysis/faultAnnotations.js';
import type {
  AggregateQuery, AnnotationQuery, BreakerQuery, InsertResult, NamespaceQuery, NamespaceSummary, SampleQuery, SeriesBucket, SeriesQuery, ServiceSummary, TraceQuery, TraceStore, TraceSummary,
} from '../TraceStore.js';
import { SqliteTraceStore, type SqliteStoreOptions } from './SqliteTraceStore.js';
import { MODULE_EXT } from '../../packagePaths.js';
import type { WriterReply, WriterRequest, WriterSetup } from './writerProtocol.js';

const utf8 = new TextEncoder();

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type RequestBody = WriterRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class ThreadedSqliteStore implements TraceStore {
  readonly backend = 'sqlite' as const;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly reader: SqliteTraceStore,
  ) {
    worker.on('message', (m: WriterReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    const fail = (e: Error) => {
      this.failure = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`SQLite writer thread exited (${code})`));
    });
  }

  /** Starts the writer thread (which creates the schema), then opens the reading connection. */
  static async open(options: SqliteStoreOptions): Promise<ThreadedSqliteStore> {
    if (options.path === ':memory:') throw new Error('a writer thread cannot share an in-memory database');
    const setup: WriterSetup = { path: options.path, pendingEdgeMs: options.pendingEdgeMs, synchronous: options.synchronous };
    const worker = new Worker(new URL('./workerBoot.mjs', import.meta.url), {
      workerData: { ...setup, entry: new URL(`./writerWorker${MODULE_EXT}`, import.meta.url).href },
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: WriterReply) => {
        if (m.id !== 0) return;
        worker.off('message', onMessage);
        if (m.ok) resolve();
        else reject(new Error(m.error));
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`SQLite writer thread exited during start (${code})`)));
    }).catch(async (e) => {
      await worker.terminate();
      throw e;
    });
    worker.removeAllListeners('error');
    worker.removeAllListeners('exit');
    const reader = new SqliteTraceStore({ ...options, applySchema: false });
    return new ThreadedSqliteStore(worker, reader);
  }

  private call<T>(body: RequestBody, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...body, id } as WriterRequest, transfer);
    });
  }

  insertSpans(spans: readonly SpanRecord[], nowMs?: number): Promise<InsertResult> {
    // JSON in a transferred buffer: cheaper for both threads than a structured clone of the span objects.
    const body = utf8.encode(JSON.stringify(spans));
    return this.call({ op: 'insert', spans: body, nowMs }, [body.buffer as ArrayBuffer]);
  }
  resolvePendingEdges(nowMs?: number): Promise<number> {
    return this.call({ op: 'resolve', nowMs });
  }
  prune(cutoffMs: number, maxTraces: number): Promise<number> {
    return this.call({ op: 'prune', cutoffMs, maxTraces });
  }
  async checkWritable(): Promise<void> {
    await this.call({ op: 'check' });
  }
  async upsertAnnotations(annotations: readonly StoredAnnotation[]): Promise<void> {
    await this.call({ op: 'annotate', annotations });
  }

  services(range: AggregateQuery): Promise<ServiceSummary[]> {
    return this.reader.services(range);
  }
  graphInput(range: AggregateQuery): Promise<GraphInput> {
    return this.reader.graphInput(range);
  }
  entrySeries(range: AggregateQuery): Promise<ServiceSeries[]> {
    return this.reader.entrySeries(range);
  }
  series(query: SeriesQuery): Promise<SeriesBucket[]> {
    return this.reader.series(query);
  }
  namespaces(query: NamespaceQuery): Promise<NamespaceSummary[]> {
    return this.reader.namespaces(query);
  }
  annotations(query: AnnotationQuery): Promise<StoredAnnotation[]> {
    return this.reader.annotations(query);
  }
  breakerTransitions(query: BreakerQuery): Promise<BreakerTransition[]> {
    return this.reader.breakerTransitions(query);
  }
  listTraces(query: TraceQuery): Promise<TraceSummary[]> {
    return this.reader.listTraces(query);
  }
  getTrace(traceId: string): Promise<SpanRecord[]> {
    return this.reader.getTrace(traceId);
  }
  sampleSpans(query: SampleQuery): Promise<SpanRecord[]> {
    return this.reader.sampleSpans(query);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.failure) await this.call({ op: 'close' });
    } catch {
      // the thread is gone already; nothing left to flush
    }
    this.closed = true;
    await this.worker.terminate();
    await this.reader.close();
  }
}
