// Per-transaction state from the SDK's transaction telemetry (CONTRACT "distributed
// transactions"), updated at ingest from committed spans. Events may arrive in any order and
// more than once (exporter retries): a final state is never undone by an earlier event, and a
// re-sent event changes nothing. `stuck` is not stored: it is a running or compensating
// transaction without progress for stuckMs, decided when asked.
import type { SpanRecord } from '../model.js';

export const TX_EVENTS = {
  stepStarted: 'tx.step.started',
  stepSucceeded: 'tx.step.succeeded',
  stepFailed: 'tx.step.failed',
  compensationStarted: 'tx.compensation.started',
  compensationSucceeded: 'tx.compensation.succeeded',
  completed: 'tx.completed',
  compensated: 'tx.compensated',
  failed: 'tx.failed',
} as const;
const TX_EVENT_NAMES = new Set<string>(Object.values(TX_EVENTS));

export type StoredTxState = 'running' | 'compensating' | 'completed' | 'compensated' | 'failed';
export type TxState = StoredTxState | 'stuck';
export const TX_STATES: readonly TxState[] = ['running', 'compensating', 'completed', 'compensated', 'failed', 'stuck'];
const FINAL = new Set<StoredTxState>(['completed', 'compensated', 'failed']);

export interface TxStep {
  name: string;
  service: string;
  state: 'running' | 'succeeded' | 'failed' | 'compensating' | 'compensated';
  startMs: number;
  endMs?: number;
  traceId: string;
}

export interface TxRecord {
  id: string;
  type: string;
  state: StoredTxState;
  startedMs: number;
  /** Time of the latest event (progress). */
  updatedMs: number;
  /** The step reached last (by event time, whatever the arrival order). */
  step: string | null;
  /** Time of the event that set `step`. */
  stepMs?: number;
  services: string[];
  traceIds: string[];
  steps: TxStep[];
  /** Event keys already applied (trace:span:index), so that re-sent spans change nothing. */
  seen: string[];
}

export interface TxSummary {
  id: string;
  type: string;
  state: TxState;
  startedMs: number;
  updatedMs: number;
  ageMs: number;
  step: string | null;
  services: string[];
  traceIds: string[];
}

export const TRANSACTIONS_MAX = 100_000;
export const STEPS_PER_TX_MAX = 200;
const TRACES_PER_TX_MAX = 50;
const SERVICES_PER_TX_MAX = 50;

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 256) : '');

interface TxEvent {
  name: string;
  timeMs: number;
  id: string;
  type: string;
  step: string;
  service: string;
  traceId: string;
  key: string;
}

export class TransactionTracker {
  private readonly txs = new Map<string, TxRecord>();
  private readonly dirty = new Set<string>();

  constructor(readonly stuckMs: number) {}

  /** Records from persistence at start. */
  load(records: readonly TxRecord[]): void {
    for (const r of records) this.txs.set(r.id, r);
  }

  observe(spans: readonly SpanRecord[]): void {
    const events: TxEvent[] = [];
    for (const span of spans) {
      span.events.forEach((e, i) => {
        if (!TX_EVENT_NAMES.has(e.name)) return;
        const id = str(e.attributes['faultline.tx.id']) || str(span.attributes['faultline.tx.id']);
        if (!id) return;
        events.push({
          name: e.name,
          timeMs: e.timeMs,
          id,
          type: str(e.attributes['faultline.tx.type']) || str(span.attributes['faultline.tx.type']) || 'unknown',
          step: str(e.attributes['faultline.tx.step']) || str(span.attributes['faultline.tx.step']),
          service: span.service,
          traceId: span.traceId,
          key: `${span.traceId}:${span.spanId}:${i}`,
        });
      });
    }
    events.sort((a, b) => a.timeMs - b.timeMs);
    for (const e of events) this.apply(e);
  }

  private apply(e: TxEvent): void {
    let tx = this.txs.get(e.id);
    if (!tx) {
      tx = { id: e.id, type: e.type, state: 'running', startedMs: e.timeMs, updatedMs: e.timeMs, step: null, services: [], traceIds: [], steps: [], seen: [] };
      this.txs.set(e.id, tx);
      this.evict();
    }
    if (tx.seen.includes(e.key)) return;
    tx.seen.push(e.key);
    if (tx.seen.length > STEPS_PER_TX_MAX * 3) tx.seen.splice(0, tx.seen.length - STEPS_PER_TX_MAX * 3);
    if (tx.type === 'unknown' && e.type !== 'unknown') tx.type = e.type;
    tx.startedMs = Math.min(tx.startedMs, e.timeMs);
    tx.updatedMs = Math.max(tx.updatedMs, e.timeMs);
    if (!tx.services.includes(e.service) && tx.services.length < SERVICES_PER_TX_MAX) tx.services.push(e.service);
    if (!tx.traceIds.includes(e.traceId) && tx.traceIds.length < TRACES_PER_TX_MAX) tx.traceIds.push(e.traceId);
    const open = (states: TxStep['state'][]) => {
      for (let i = tx!.steps.length - 1; i >= 0; i--) if (tx!.steps[i]!.name === e.step && states.includes(tx!.steps[i]!.state)) return tx!.steps[i]!;
      return undefined;
    };
    const push = (state: TxStep['state']) => {
      if (tx!.steps.length < STEPS_PER_TX_MAX) tx!.steps.push({ name: e.step, service: e.service, state, startMs: e.timeMs, traceId: e.traceId });
    };
    const reached = () => {
      if (e.step && e.timeMs >= (tx!.stepMs ?? -Infinity)) {
        tx!.step = e.step;
        tx!.stepMs = e.timeMs;
      }
    };
    const setState = (s: StoredTxState) => {
      if (!FINAL.has(tx!.state)) tx!.state = s;
    };
    switch (e.name) {
      case TX_EVENTS.stepStarted:
        push('running');
        reached();
        break;
      case TX_EVENTS.stepSucceeded:
      case TX_EVENTS.stepFailed: {
        const s = open(['running', 'compensating']);
        const done = e.name === TX_EVENTS.stepSucceeded ? (s?.state === 'compensating' ? 'compensated' : 'succeeded') : 'failed';
        if (s) {
          s.state = done;
          s.endMs = e.timeMs;
        } else {
          push(done);
          tx.steps[tx.steps.length - 1]!.endMs = e.timeMs;
        }
        reached();
        break;
      }
      case TX_EVENTS.compensationStarted:
        push('compensating');
        setState('compensating');
        reached();
        break;
      case TX_EVENTS.compensationSucceeded: {
        const s = open(['compensating']);
        if (s) {
          s.state = 'compensated';
          s.endMs = e.timeMs;
        } else {
          push('compensated');
          tx.steps[tx.steps.length - 1]!.endMs = e.timeMs;
        }
        break;
      }
      case TX_EVENTS.completed:
        setState('completed');
        break;
      case TX_EVENTS.compensated:
        setState('compensated');
        break;
      case TX_EVENTS.failed:
        setState('failed');
        break;
    }
    this.dirty.add(tx.id);
  }

  /** Past TRANSACTIONS_MAX, forget 1% at once: finished transactions first, least recently updated first. */
  private evict(): void {
    if (this.txs.size <= TRANSACTIONS_MAX) return;
    const victims = [...this.txs.values()]
      .sort((a, b) => Number(FINAL.has(b.state)) - Number(FINAL.has(a.state)) || a.updatedMs - b.updatedMs)
      .slice(0, Math.ceil(TRANSACTIONS_MAX / 100));
    for (const v of victims) {
      this.txs.delete(v.id);
      this.dirty.delete(v.id);
    }
  }

  stateOf(tx: TxRecord, nowMs: number): TxState {
    if (!FINAL.has(tx.state) && nowMs - tx.updatedMs > this.stuckMs) return 'stuck';
    return tx.state;
  }

  summary(tx: TxRecord, nowMs: number): TxSummary {
    const state = this.stateOf(tx, nowMs);
    return { id: tx.id, type: tx.type, state, startedMs: tx.startedMs, updatedMs: tx.updatedMs, ageMs: Math.max(0, nowMs - tx.startedMs), step: tx.step, services: [...tx.services], traceIds: [...tx.traceIds] };
  }

  get(id: string): TxRecord | undefined {
    return this.txs.get(id);
  }

  /** Newest activity first. */
  list(filter: { state?: TxState; type?: string; fromMs: number; toMs: number; limit: number }, nowMs = Date.now()): TxSummary[] {
    const out: TxSummary[] = [];
    for (const tx of this.txs.values()) {
      if (filter.type !== undefined && tx.type !== filter.type) continue;
      // Active at some time in [from, to]: started before `to`, and still going or updated after `from`.
      if (tx.startedMs > filter.toMs) continue;
      const state = this.stateOf(tx, nowMs);
      if (FINAL.has(tx.state) && tx.updatedMs < filter.fromMs) continue;
      if (filter.state !== undefined && state !== filter.state) continue;
      out.push(this.summary(tx, nowMs));
    }
    out.sort((a, b) => b.updatedMs - a.updatedMs || (a.id < b.id ? -1 : 1));
    return out.slice(0, filter.limit);
  }

  /** Current counts per type and state, for faultline_transactions. */
  counts(nowMs = Date.now()): { type: string; state: TxState; count: number }[] {
    const m = new Map<string, number>();
    for (const tx of this.txs.values()) {
      const k = `${tx.type}\u0000${this.stateOf(tx, nowMs)}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return [...m].map(([k, count]) => {
      const [type, state] = k.split('\u0000') as [string, TxState];
      return { type, state, count };
    });
  }

  /** Stuck transactions per type with a few ids (oldest progress first), for TransactionsStuck. */
  stuck(nowMs = Date.now()): { type: string; count: number; ids: string[] }[] {
    const byType = new Map<string, TxRecord[]>();
    for (const tx of this.txs.values()) {
      if (this.stateOf(tx, nowMs) !== 'stuck') continue;
      const list = byType.get(tx.type) ?? [];
      list.push(tx);
      byType.set(tx.type, list);
    }
    return [...byType].map(([type, list]) => ({ type, count: list.length, ids: list.sort((a, b) => a.updatedMs - b.updatedMs).slice(0, 20).map((t) => t.id) }));
  }

  /** Records changed since the last call (for persistence). */
  takeDirty(max = 5_000): TxRecord[] {
    const out: TxRecord[] = [];
    for (const id of this.dirty) {
      if (out.length >= max) break;
      this.dirty.delete(id);
      const tx = this.txs.get(id);
      if (tx) out.push(tx);
    }
    return out;
  }

  markDirty(records: readonly TxRecord[]): void {
    for (const r of records) if (this.txs.get(r.id) === r) this.dirty.add(r.id);
  }
}
