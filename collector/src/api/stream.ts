// GET /api/stream: Server-Sent Events. One computation per tick is shared by every client;
// clients are bounded, slow readers are dropped rather than buffered without end.
import type { Request, Response } from 'express';
import { buildGraph, serviceAnswers, type StoredAnnotation } from '../analysis/index.js';
import type { TraceStore } from '../store/index.js';
import { annotationsAnswer, publicAnnotation } from './eventsRouter.js';
import { graphDelta } from './streamDelta.js';
import { DEFAULT_WINDOW_MS } from './params.js';
import { cachedRootCauses } from './rootCauses.js';

export interface StreamOptions {
  clientsMax: number;
  heartbeatMs: number;
  intervalMs: number;
  log: (line: string) => void;
}

/** A client whose socket holds more unsent bytes than this is disconnected. */
const CLIENT_BUFFER_BYTES_MAX = 1024 * 1024;
/** Annotations remembered as sent (the newest), so that only new or grown ones go out. */
const SENT_ANNOTATIONS_MAX = 2000;
/** How late a breaker transition's span may arrive and still be streamed. */
const TRANSITION_LATENESS_MS = 60_000;
/** Breaker transitions remembered as sent (and read per tick at most). */
const SENT_TRANSITIONS_MAX = 2000;
/** Incidents are re-evaluated at most this often. */
const INCIDENT_INTERVAL_MS = 5_000;

export class StreamHub {
  private readonly clients = new Set<Response>();
  private dirty = true;
  private lastGraph = '';
  private lastGraphAnswer: ReturnType<typeof buildGraph> | null = null;
  private lastServices = '';
  /** Annotation id → its JSON as last sent: a grown one is sent again. */
  private sentAnnotations = new Map<string, string>();
  /** Breaker transitions already sent, by span and event: a late-arriving span still gets its transitions out. */
  private sentTransitions = new Set<string>();
  private newestTransitionMs = 0;
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
    if (this.lastServices) this.send(res, 'services', this.lastServices);
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

  /** A posted annotation goes out at once, not at the next tick. */
  announce(a: StoredAnnotation): void {
    const json = JSON.stringify(publicAnnotation(a));
    this.sentAnnotations.set(a.id, json);
    this.trimAnnotations();
    for (const c of this.clients) this.send(c, 'annotation', json);
  }

  private trimAnnotations(): void {
    while (this.sentAnnotations.size > SENT_ANNOTATIONS_MAX) this.sentAnnotations.delete(this.sentAnnotations.keys().next().value!);
  }

  private sendAll(event: string, data: string): void {
    for (const c of this.clients) this.send(c, event, data);
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
      const input = await this.store.graphInput(range);
      const answer = buildGraph(input, toMs);
      const graph = JSON.stringify(answer);
      if (graph !== this.lastGraph) {
        if (this.lastGraphAnswer) this.sendAll('graph.delta', JSON.stringify(graphDelta(this.lastGraphAnswer, answer)));
        this.lastGraph = graph;
        this.lastGraphAnswer = answer;
        this.sendAll('graph', graph);
      }
      const services = JSON.stringify(serviceAnswers(input, toMs));
      if (services !== this.lastServices) {
        this.lastServices = services;
        this.sendAll('services', services);
      }
      for (const a of await annotationsAnswer(this.store, range)) {
        const json = JSON.stringify(a);
        if (this.sentAnnotations.get(a.id) === json) continue;
        this.sentAnnotations.delete(a.id);
        this.sentAnnotations.set(a.id, json);
        this.sendAll('annotation', json);
      }
      this.trimAnnotations();
      // From a minute before the newest one sent (spans arrive late), so that a busy window cannot hide the newest behind the limit.
      const sinceMs = Math.max(range.fromMs, this.newestTransitionMs - TRANSITION_LATENESS_MS);
      const transitions = await this.store.breakerTransitions({ fromMs: sinceMs, toMs: range.toMs, limit: SENT_TRANSITIONS_MAX });
      for (const t of transitions) {
        this.newestTransitionMs = Math.max(this.newestTransitionMs, t.timeMs);
        const key = `${t.traceId}/${t.spanId}/${t.seq}`;
        if (this.sentTransitions.has(key)) continue;
        this.sentTransitions.add(key);
        if (this.sentTransitions.size > SENT_TRANSITIONS_MAX) this.sentTransitions.delete(this.sentTransitions.values().next().value!);
        this.sendAll('breaker', JSON.stringify({ service: t.service, breaker: t.breaker, target: t.target, transitions: [{ timeMs: t.timeMs, from: t.from, to: t.to }] }));
      }
      if (toMs - this.lastIncidentCheck >= INCIDENT_INTERVAL_MS) {
        this.lastIncidentCheck = toMs;
        // The same answer as GET /api/root-causes for this window (shared memo), so the live feed
        // shows every kind of incident the API reports.
        const json = JSON.stringify(await cachedRootCauses(this.store, range));
        if (json !== this.lastIncidents) {
          this.lastIncidents = json;
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


  close(): void {
    clearInterval(this.tick);
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
