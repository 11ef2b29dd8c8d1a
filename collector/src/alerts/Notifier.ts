// Alert delivery with retries and a bounded outbox per receiver. The outbox holds the latest
// version of each alert (by id), so a receiver that was down gets every alert's current state
// once it is back (never lost, never two versions of one alert as two alerts). Outcomes are a
// union, not exceptions; failures are logged once per streak.
import type { Alert } from './AlertState.js';

export type SendOutcome = { kind: 'ok' } | { kind: 'retry'; reason: string } | { kind: 'drop'; reason: string };

export interface AlertReceiver {
  readonly name: string;
  send(alerts: readonly Alert[], nowMs: number): Promise<SendOutcome>;
}

export interface NotifierOptions {
  /** Alerts waiting per receiver; past it the oldest is dropped (counted, logged once). Default 10,000. */
  outboxMax?: number;
  /** Alerts per request. Default 500. */
  batchMax?: number;
  /** First retry delay, doubled per failure up to retryMaxDelayMs. Defaults 500 ms and 30,000 ms. */
  retryDelayMs?: number;
  retryMaxDelayMs?: number;
  /** An alert undelivered for this long is given up (counted). Default 1 h. */
  giveUpAfterMs?: number;
  /** After a failure streak ends, what to send again (the receiver may have lost its state, e.g. a restarted Alertmanager). */
  onRecovered?: () => readonly Alert[];
  log?: (line: string) => void;
}

export interface ReceiverStatus {
  name: string;
  queued: number;
  delivered: number;
  failedAttempts: number;
  dropped: number;
  failing: boolean;
  lastError: string | null;
}

interface Outbox {
  receiver: AlertReceiver;
  entries: Map<string, { alert: Alert; queuedMs: number }>;
  retryAtMs: number;
  delayMs: number;
  busy: boolean;
  status: ReceiverStatus;
}

export class Notifier {
  private readonly outboxes: Outbox[];
  private readonly o: Required<Omit<NotifierOptions, 'onRecovered'>> & Pick<NotifierOptions, 'onRecovered'>;
  private timer: NodeJS.Timeout | null = null;

  constructor(receivers: readonly AlertReceiver[], options: NotifierOptions = {}) {
    this.o = {
      outboxMax: options.outboxMax ?? 10_000,
      batchMax: options.batchMax ?? 500,
      retryDelayMs: options.retryDelayMs ?? 500,
      retryMaxDelayMs: options.retryMaxDelayMs ?? 30_000,
      giveUpAfterMs: options.giveUpAfterMs ?? 3_600_000,
      onRecovered: options.onRecovered,
      log: options.log ?? (() => undefined),
    };
    this.outboxes = receivers.map((receiver) => ({
      receiver,
      entries: new Map(),
      retryAtMs: 0,
      delayMs: this.o.retryDelayMs,
      busy: false,
      status: { name: receiver.name, queued: 0, delivered: 0, failedAttempts: 0, dropped: 0, failing: false, lastError: null },
    }));
  }

  get receiverCount(): number {
    return this.outboxes.length;
  }

  /** Queues the alerts' current state for every receiver (a newer version replaces a queued one). */
  enqueue(alerts: readonly Alert[], nowMs = Date.now()): void {
    for (const box of this.outboxes) this.enqueueIn(box, alerts, nowMs);
    this.pump(nowMs);
  }

  private enqueueIn(box: Outbox, alerts: readonly Alert[], nowMs: number): void {
    for (const alert of alerts) {
      const queuedMs = box.entries.get(alert.id)?.queuedMs ?? nowMs;
      box.entries.delete(alert.id);
      box.entries.set(alert.id, { alert: { ...alert, labels: { ...alert.labels }, annotations: { ...alert.annotations } }, queuedMs });
      if (box.entries.size > this.o.outboxMax) {
        box.entries.delete(box.entries.keys().next().value!);
        if (box.status.dropped++ === 0) this.o.log(`faultline collector: alert outbox for ${box.receiver.name} is full (${this.o.outboxMax}); dropping the oldest`);
      }
    }
    box.status.queued = box.entries.size;
  }

  /** Starts the retry timer (unref'd). */
  start(intervalMs = 200): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.pump(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Sends what is queued to every receiver that is not waiting for a retry. */
  pump(nowMs = Date.now()): void {
    for (const box of this.outboxes) if (!box.busy && box.entries.size > 0 && nowMs >= box.retryAtMs) void this.flush(box);
  }

  /** Resolves when every outbox is empty (or `timeoutMs` passed). For tests and shutdown. */
  async drain(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.outboxes.some((b) => b.entries.size > 0 || b.busy)) {
      if (Date.now() > deadline) return false;
      this.pump();
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  status(): ReceiverStatus[] {
    return this.outboxes.map((b) => ({ ...b.status, queued: b.entries.size }));
  }

  private async flush(box: Outbox): Promise<void> {
    box.busy = true;
    try {
      while (box.entries.size > 0) {
        const nowMs = Date.now();
        for (const [id, e] of box.entries) {
          if (nowMs - e.queuedMs > this.o.giveUpAfterMs) {
            box.entries.delete(id);
            box.status.dropped++;
          }
        }
        const batch = [...box.entries.values()].slice(0, this.o.batchMax);
        if (batch.length === 0) break;
        let outcome: SendOutcome;
        try {
          outcome = await box.receiver.send(batch.map((e) => e.alert), nowMs);
        } catch (e) {
          outcome = { kind: 'retry', reason: (e as Error)?.message ?? String(e) };
        }
        if (outcome.kind === 'retry') {
          box.status.failedAttempts++;
          box.status.lastError = outcome.reason;
          if (!box.status.failing) this.o.log(`faultline collector: alert delivery to ${box.receiver.name} failed, retrying: ${outcome.reason}`);
          box.status.failing = true;
          box.retryAtMs = Date.now() + box.delayMs;
          box.delayMs = Math.min(this.o.retryMaxDelayMs, box.delayMs * 2);
          return;
        }
        // Delivered (or refused for good): remove what was sent unless a newer version replaced it meanwhile.
        for (const e of batch) if (box.entries.get(e.alert.id) === e) box.entries.delete(e.alert.id);
        if (outcome.kind === 'drop') {
          box.status.dropped += batch.length;
          box.status.lastError = outcome.reason;
          this.o.log(`faultline collector: ${box.receiver.name} refused ${batch.length} alerts: ${outcome.reason}`);
        } else box.status.delivered += batch.length;
        box.delayMs = this.o.retryDelayMs;
        if (box.status.failing) {
          box.status.failing = false;
          this.o.log(`faultline collector: alert delivery to ${box.receiver.name} recovered`);
          // It may have restarted empty: give it the current state of every alert again.
          const again = this.o.onRecovered?.() ?? [];
          this.enqueueIn(box, again, Date.now());
        }
      }
    } finally {
      box.busy = false;
      box.status.queued = box.entries.size;
    }
  }
}
