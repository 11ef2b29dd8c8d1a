// Pure transforms for alerts in the top bar and on the incidents page.
import type { Alert } from '../api/types.js';

const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/** Firing first, by severity then oldest; resolved after, most recently resolved first. */
export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort((a, b) => {
    if (a.state !== b.state) return a.state === 'firing' ? -1 : 1;
    if (a.state === 'firing') return (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || a.startsAt - b.startsAt || (a.id < b.id ? -1 : 1);
    return (b.endsAt ?? 0) - (a.endsAt ?? 0) || (a.id < b.id ? -1 : 1);
  });
}

export interface AlertSummary {
  firing: number;
  critical: number;
  /** The alert to name in the top bar: the most severe, oldest firing one. */
  top: Alert | null;
}

export function summarizeAlerts(alerts: readonly Alert[]): AlertSummary {
  const firing = sortAlerts(alerts).filter((a) => a.state === 'firing');
  return { firing: firing.length, critical: firing.filter((a) => a.severity === 'critical').length, top: firing[0] ?? null };
}

/** "DependencyFailing orders → inventory", "TransactionsStuck order", "EntryErrorRate gateway". */
export function alertTitle(alert: Alert): string {
  const l = alert.labels;
  if (l.server && l.service) return `${alert.rule} ${l.service} → ${l.server}`;
  if (l.target && l.service) return `${alert.rule} ${l.service} → ${l.target}`;
  const subject = l.service ?? l.type ?? '';
  return subject ? `${alert.rule} ${subject}` : alert.rule;
}
