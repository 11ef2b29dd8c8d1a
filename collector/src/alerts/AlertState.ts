// Alert lifecycle: a condition holding for `for` fires; its absence resolves it. One alert per
// label set: the id is a hash of the labels, so the same labels are always the same alert
// (here, in Alertmanager and at the webhook), never two.
import { createHash } from 'node:crypto';
import type { Condition } from './evaluate.js';

export type AlertStateName = 'firing' | 'resolved';

export interface Alert {
  id: string;
  rule: string;
  severity: string;
  state: AlertStateName;
  /** Epoch ms the alert (this firing) started. */
  startsAt: number;
  /** Epoch ms it resolved; absent while firing. */
  endsAt?: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Epoch ms of the last change (state, annotations). */
  updatedAt: number;
}

/** Resolved alerts kept for GET /api/alerts, at most this many and this long. */
export const RESOLVED_KEPT_MAX = 1_000;
export const RESOLVED_KEPT_MS = 24 * 3_600_000;
/** Label sets tracked at once (pending + firing); further conditions are ignored and logged once. */
export const ACTIVE_ALERTS_MAX = 5_000;

export function alertId(labels: Readonly<Record<string, string>>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

interface Pending {
  sinceMs: number;
  condition: Condition;
}

export interface StateChanges {
  fired: Alert[];
  resolved: Alert[];
}

export class AlertState {
  private readonly pending = new Map<string, Pending>();
  private readonly alerts = new Map<string, Alert>();
  private overflowLogged = false;

  constructor(private readonly log: (line: string) => void = () => undefined) {}

  static labelsOf(condition: Condition): Record<string, string> {
    return { ...condition.rule.labels, ...condition.labels, alertname: condition.rule.name, severity: condition.rule.severity };
  }

  /**
   * Applies one evaluation. New firing alerts get `annotate(condition)` as annotations; the
   * summaries of alerts that keep firing are refreshed in place.
   */
  update(conditions: readonly Condition[], nowMs: number, annotate: (c: Condition, labels: Record<string, string>) => Record<string, string>): StateChanges {
    const changes: StateChanges = { fired: [], resolved: [] };
    const holding = new Set<string>();
    for (const condition of conditions) {
      const labels = AlertState.labelsOf(condition);
      const id = alertId(labels);
      if (holding.has(id)) continue;
      holding.add(id);
      const existing = this.alerts.get(id);
      if (existing?.state === 'firing') {
        existing.annotations.summary = condition.summary;
        continue;
      }
      let p = this.pending.get(id);
      if (!p) {
        if (this.pending.size + this.firingCount() >= ACTIVE_ALERTS_MAX) {
          if (!this.overflowLogged) this.log(`faultline collector: over ${ACTIVE_ALERTS_MAX} alerts active at once; further label sets are not tracked`);
          this.overflowLogged = true;
          continue;
        }
        this.pending.set(id, (p = { sinceMs: nowMs, condition }));
      }
      p.condition = condition;
      if (nowMs - p.sinceMs < condition.rule.forMs) continue;
      this.pending.delete(id);
      const alert: Alert = {
        id,
        rule: condition.rule.name,
        severity: condition.rule.severity,
        state: 'firing',
        startsAt: p.sinceMs,
        labels,
        annotations: annotate(condition, labels),
        updatedAt: nowMs,
      };
      this.alerts.delete(id); // re-insert so that iteration order is oldest change first
      this.alerts.set(id, alert);
      changes.fired.push(alert);
    }
    for (const id of [...this.pending.keys()]) if (!holding.has(id)) this.pending.delete(id);
    for (const alert of this.alerts.values()) {
      if (alert.state !== 'firing' || holding.has(alert.id)) continue;
      alert.state = 'resolved';
      alert.endsAt = nowMs;
      alert.updatedAt = nowMs;
      changes.resolved.push(alert);
    }
    this.forgetOld(nowMs);
    return changes;
  }

  private firingCount(): number {
    let n = 0;
    for (const a of this.alerts.values()) if (a.state === 'firing') n++;
    return n;
  }

  private forgetOld(nowMs: number): void {
    let resolved = 0;
    for (const a of this.alerts.values()) if (a.state === 'resolved') resolved++;
    for (const [id, a] of this.alerts) {
      if (a.state !== 'resolved') continue;
      if (resolved > RESOLVED_KEPT_MAX || nowMs - (a.endsAt ?? nowMs) > RESOLVED_KEPT_MS) {
        this.alerts.delete(id);
        resolved--;
      }
    }
  }

  /** Firing and resolved alerts, newest change first. */
  list(): Alert[] {
    return [...this.alerts.values()].reverse();
  }

  firing(): Alert[] {
    return this.list().filter((a) => a.state === 'firing');
  }
}
