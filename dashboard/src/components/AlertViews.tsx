// Alerts: the top-bar badge and the list on the incidents page. Presentational.
import type { Alert } from '../api/types.js';
import { alertTitle, sortAlerts, summarizeAlerts } from '../model/alerts.js';
import { formatDateTime, formatMs } from '../model/format.js';

export function AlertBadge({ alerts, href }: { alerts: readonly Alert[]; href: string }) {
  const s = summarizeAlerts(alerts);
  if (s.firing === 0) {
    return (
      <a className="alert-badge quiet" href={href} data-testid="alert-badge" data-firing="0" title="No alerts firing">
        no alerts
      </a>
    );
  }
  return (
    <a className={`alert-badge ${s.critical > 0 ? 'critical' : 'warning'}`} href={href} data-testid="alert-badge" data-firing={s.firing} title={s.top?.annotations.summary ?? ''}>
      <span className="dot" aria-hidden="true" />
      {s.firing} alert{s.firing === 1 ? '' : 's'} firing{s.top ? `: ${alertTitle(s.top)}` : ''}
    </a>
  );
}

export function AlertList({ alerts, nowMs }: { alerts: readonly Alert[]; nowMs: number }) {
  if (alerts.length === 0) return null;
  return (
    <section className="panel alert-list" aria-label="Alerts">
      <h2>Alerts ({alerts.filter((a) => a.state === 'firing').length} firing)</h2>
      <table>
        <thead>
          <tr>
            <th>state</th>
            <th>alert</th>
            <th>severity</th>
            <th>since</th>
            <th>summary</th>
            <th>root cause</th>
            <th>path</th>
          </tr>
        </thead>
        <tbody>
          {sortAlerts(alerts).map((a) => (
            <tr key={a.id} data-testid="alert" data-state={a.state} data-rule={a.rule}>
              <td>
                <span className={`badge ${a.state === 'firing' ? 'health-failing' : 'health-idle'}`}>{a.state}</span>
              </td>
              <td>{alertTitle(a)}</td>
              <td>{a.severity}</td>
              <td title={formatDateTime(a.startsAt)}>{a.state === 'firing' ? formatMs(nowMs - a.startsAt) : `${formatMs((a.endsAt ?? nowMs) - a.startsAt)} (resolved)`}</td>
              <td>{a.annotations.summary ?? ''}</td>
              <td>{a.annotations.root_cause ?? ''}</td>
              <td>{a.annotations.path ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
