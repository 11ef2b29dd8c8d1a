// Naive mode's consistency audit: the monitoring the incident lacked, without the repairs
// the naive architecture does not have. Asks the owning services what they hold for each
// finished order and reports every disagreement (and every order stuck in `pending`) as a
// `consistency.violation` event, which the collector turns into the ConsistencyViolation alert.
import { recordConsistencyViolation } from '@faultline/sdk';
import type { ServiceFetch } from '../../lib/clients.js';
import type { Db } from '../../lib/db.js';
import { type Truth, violationKind } from './reconciler.js';
import type { OrderRow } from './store.js';
import { Periodic } from '../../lib/periodic.js';

export interface AuditorOptions {
  /** Default 1000 ms. */
  intervalMs?: number;
  /** A finished order is audited once it has been quiet this long, ms. Default 1000. */
  auditDelayMs?: number;
  /** A pending order older than this is reported stuck, ms. Default 30000. */
  stuckMs?: number;
  /** Orders looked at per round. Default 50. */
  batchSize?: number;
  /** Each question to a service gives up after this long (the naive clients have no timeouts). Default 2000 ms. */
  askTimeoutMs?: number;
}

const REMEMBERED_MAX = 10_000;

type PartialTruth = { [K in keyof Truth]?: number } & { unanswered?: boolean };

export class ConsistencyAuditor {
  private readonly loop: Periodic;
  private cursorMs = 0;
  private readonly audited = new Set<string>();
  private readonly reportedStuck = new Set<string>();
  private readonly o: Required<AuditorOptions>;

  constructor(
    private readonly db: Db,
    private readonly clients: { payments: ServiceFetch; inventory: ServiceFetch; shipping: ServiceFetch },
    options: AuditorOptions = {},
  ) {
    this.o = { intervalMs: 1000, auditDelayMs: 1000, stuckMs: 30_000, batchSize: 50, askTimeoutMs: 2000, ...options };
    this.loop = new Periodic('auditor', this.o.intervalMs, () => this.round());
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
  }

  async round(): Promise<void> {
    const now = Date.now();
    const stuck = this.db
      .prepare("SELECT id FROM orders WHERE status = 'pending' AND created_ms < ? ORDER BY created_ms LIMIT ?")
      .all(now - this.o.stuckMs, this.o.batchSize * 4) as { id: string }[];
    for (const { id } of stuck) {
      if (this.reportedStuck.has(id)) continue;
      remember(this.reportedStuck, id);
      recordConsistencyViolation({ id, type: 'order', kind: 'stuck_order' });
    }
    const finished = this.db
      .prepare("SELECT * FROM orders WHERE status IN ('confirmed', 'cancelled') AND updated_ms >= ? AND updated_ms < ? ORDER BY updated_ms LIMIT ?")
      .all(this.cursorMs, now - this.o.auditDelayMs, this.o.batchSize) as OrderRow[];
    const todo = finished.filter((o) => !this.audited.has(o.id));
    const results = await Promise.all(todo.map(async (order) => ({ order, truth: await this.ask(order.id) })));
    for (const r of results) {
      const { order, truth } = r;
      let kind: string | null;
      if (truth.captured !== undefined && truth.reserved !== undefined && truth.shipped !== undefined) {
        kind = violationKind(order.status, truth as Truth);
      } else if (order.status === 'cancelled' && (truth.captured ?? 0) > 0) {
        // The charge is enough to know: a cancelled order must not hold one, whatever inventory says once it is back.
        kind = 'cancelled_but_charged';
      } else {
        r.truth = { unanswered: true };
        continue; // asked again next round
      }
      remember(this.audited, order.id);
      if (kind) recordConsistencyViolation({ id: order.id, type: 'order', kind });
    }
    // Advance past what is fully audited (ties on updated_ms are covered by the audited set).
    const firstUnanswered = results.find((r) => r.truth.unanswered)?.order.updated_ms;
    const last = finished[finished.length - 1]?.updated_ms;
    if (firstUnanswered !== undefined) this.cursorMs = Math.max(this.cursorMs, firstUnanswered);
    else if (last !== undefined) this.cursorMs = Math.max(this.cursorMs, last);
  }

  /** What each service holds; a service that does not answer leaves its figure undefined. */
  private async ask(orderId: string): Promise<PartialTruth> {
    const [p, r, s] = await Promise.all([
      this.get(this.clients.payments, `/payments/${orderId}`, 'captured'),
      this.get(this.clients.inventory, `/reservations/${orderId}`, 'reserved'),
      this.get(this.clients.shipping, `/shipments/${orderId}`, 'created'),
    ]);
    return { captured: p, reserved: r, shipped: s };
  }

  private async get(client: ServiceFetch, path: string, field: string): Promise<number | undefined> {
    // A hard deadline of our own as well: a stopped service (SIGSTOP) must not hang the audit loop.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.o.askTimeoutMs)));
    const answer = (async () => {
      try {
        const res = await client(path, { signal: AbortSignal.timeout(this.o.askTimeoutMs) });
        if (!res.ok) return undefined;
        return Number(((await res.json()) as Record<string, unknown>)[field] ?? 0);
      } catch {
        return undefined;
      }
    })();
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function remember(set: Set<string>, id: string): void {
  set.add(id);
  if (set.size > REMEMBERED_MAX) set.delete(set.values().next().value!);
}
