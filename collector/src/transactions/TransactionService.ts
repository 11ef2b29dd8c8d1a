// Wiring for transaction state: tracker ← committed spans; tracker ↔ persistence (load at
// start, save changes every second, final save on close).
import type { SpanRecord } from '../model.js';
import { openTransactionPersistence, type TransactionPersistence } from './persistence.js';
import { TransactionTracker } from './TransactionTracker.js';

export const TX_SAVE_INTERVAL_MS = 1_000;

export interface TransactionServiceOptions {
  databaseUrl: string | null;
  databaseSchema: string;
  dbPath: string;
  stuckMs: number;
  /** Records not updated for this long are not loaded and are pruned; 0 keeps everything. */
  retentionHours: number;
  log: (line: string) => void;
}

export class TransactionService {
  readonly tracker: TransactionTracker;
  private timer: NodeJS.Timeout | null = null;
  private saving: Promise<void> = Promise.resolve();
  private failedLogged = false;

  private constructor(
    private readonly persistence: TransactionPersistence | null,
    private readonly options: TransactionServiceOptions,
  ) {
    this.tracker = new TransactionTracker(options.stuckMs);
  }

  static async open(options: TransactionServiceOptions): Promise<TransactionService> {
    const persistence = await openTransactionPersistence(options);
    const service = new TransactionService(persistence, options);
    if (persistence) {
      const sinceMs = options.retentionHours > 0 ? Date.now() - options.retentionHours * 3_600_000 : 0;
      service.tracker.load(await persistence.load(sinceMs));
      if (sinceMs > 0) await persistence.prune(sinceMs);
      service.timer = setInterval(() => void service.save(), TX_SAVE_INTERVAL_MS);
      service.timer.unref();
    }
    return service;
  }

  observe(spans: readonly SpanRecord[]): void {
    this.tracker.observe(spans);
  }

  private save(): Promise<void> {
    const p = this.persistence;
    if (!p) return Promise.resolve();
    this.saving = this.saving.then(async () => {
      const records = this.tracker.takeDirty();
      if (records.length === 0) return;
      try {
        await p.save(records);
        this.failedLogged = false;
      } catch (e) {
        this.tracker.markDirty(records); // try again next round
        if (!this.failedLogged) this.options.log(`faultline collector: saving transaction state failed (retrying): ${(e as Error)?.message ?? e}`);
        this.failedLogged = true;
      }
    });
    return this.saving;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.save();
    await this.persistence?.close().catch(() => undefined);
  }
}
