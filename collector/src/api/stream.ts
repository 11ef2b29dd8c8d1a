// GET /api/stream: Server-Sent Events. One computation per tick is shared by every client;
// clients are bounded, slow readers are dropped rather than buffered without end.
import type { Request, Response } from 'express';
import { buildGraph } from '../analysis/index.js';
import type { TraceStore } from '../store/index.js';
import { DEFAULT_WINDOW_MS } from './params.js';
import { detect, explain, type IncidentAnswer, isReportable } from './rootCauses.js';

export interface StreamOptions {
  clientsMax: number;
  heartbeatMs: number;
  intervalMs: number;
  log: (line: string) => void;
}

/** A client whose socket holds more unsent bytes than this is disconnected. */
const CLIENT_BUFFER_BYTES_MAX = 1024 * 1024;
/** Incidents are re-evaluated at most this often. */
const INCIDENT_INTERVAL_MS = 5_000;

export class StreamHub {
  private readonly clients = new Set<Response>();
  private dirty = true;
  private lastGraph = '';
  private lastIncidents = '';
  private lastIncidentCheck = 0;
  private busy = false;
  private readonly tick: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private failed = false;

  constructor(
    private readonly store: TraceStore,
    private readonly options: StreamOptions,
  ) {
    this.tick = setInterval(() => void this.update(), options.intervalMs);
    this.heartbeat = setInterval(() => this.broadcast(': heartbeat\n\n'), options.heartbeatMs);
    this.tick.unref();
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Data was committed: the next tick recomputes. */
  markDirty(): void {
    this.dirty = true;
  }

  handle = (req: Request, res: Response): void => {
    if (this.clients.size >= this.options.clientsMax) {
      res.status(503).set('Retry-After', '10').json({ error: `too many stream clients (limit ${this.options.clientsMax})` });
      return;
    }
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
    if (this.lastGraph) this.send(res, 'graph', this.lastGraph);
    if (this.lastIncidents) this.send(res, 'incident', this.lastIncidents);
    this.dirty = true;
    void this.update();
  };

  private send(res: Response, event: string, data: string): void {
    if (res.writableLength > CLIENT_BUFFER_BYTES_MAX) {
      this.clients.delete(res);
      res.destroy();
      return;
    }
    res.write(`event: ${event}\ndata: ${data}\n\n`);
  }

  private broadcast(raw: string): void {
    for (const c of this.clients) c.write(raw);
  }

  private async update(): Promise<void> {
    if (this.busy || this.clients.size === 0 || !this.dirty) return;
    this.busy = true;
    this.dirty = false;
    try {
      const toMs = Date.now();
      const range = { fromMs: toMs - DEFAULT_WINDOW_MS, toMs };
      const graph = JSON.stringify(buildGraph(await this.store.graphInput(range)));
      if (graph !== this.lastGraph) {
        this.lastGraph = graph;
        for (const c of this.clients) this.send(c, 'graph', graph);
      }
      if (toMs - this.lastIncidentCheck >= INCIDENT_INTERVAL_MS) {
        this.lastIncidentCheck = toMs;
        const windows = await detect(this.store, range);
        const key = JSON.stringify(windows.map((w) => [w.startMs, w.endMs, w.affected, w.ongoing]));
        if (key !== this.lastIncidentsKey) {
          this.lastIncidentsKey = key;
          const incidents: IncidentAnswer[] = [];
          for (const w of windows) {
            const answer = await explain(this.store, w);
            if (isReportable(answer)) incidents.push(answer);
          }
          this.lastIncidents = JSON.stringify({ incidents });
          for (const c of this.clients) this.send(c, 'incident', this.lastIncidents);
        }
      }
      this.failed = false;
    } catch (e) {
      if (!this.failed) this.options.log(`faultline collector: live update failed: ${(e as Error)?.message ?? e}`);
      this.failed = true;
      this.dirty = true;
    } finally {
      this.busy = false;
    }
  }

  private lastIncidentsKey = '';

  close(): void {
    clearInterval(this.tick);
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
