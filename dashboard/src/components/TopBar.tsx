import type { Dashboard } from '../hooks/useDashboard.js';
import { linkTo, type Route } from '../model/route.js';
import { runOptions } from '../model/run.js';
import { REFRESH_OPTIONS } from '../model/timeRange.js';
import type { Alert } from '../api/types.js';
import { AlertBadge } from './AlertViews.js';
import { RunSelector } from './RunSelector.js';
import { TimeRangePicker } from './TimeRangePicker.js';

const STATUS_TEXT = { live: 'Live', connecting: 'Connecting…', offline: 'Stream offline', paused: 'Paused' } as const;

export function TopBar({ d, alerts = [] }: { d: Dashboard; alerts?: readonly Alert[] }) {
  const page = d.location.route.page;
  const links: { route: Route; label: string; active: boolean }[] = [
    { route: { page: 'map' }, label: 'Service map', active: page === 'map' },
    { route: { page: 'incidents' }, label: 'Incidents', active: page === 'incidents' },
    { route: { page: 'traces' }, label: 'Traces', active: page === 'traces' || page === 'trace' },
    { route: { page: 'transactions' }, label: 'Transactions', active: page === 'transactions' },
  ];
  if (d.config?.controlUrl) links.push({ route: { page: 'chaos' }, label: 'Chaos', active: page === 'chaos' });
  const status = d.live.status;
  return (
    <header className="topbar">
      <a className="brand" href={linkTo({ page: 'map' }, d.location.params)}>
        <svg className="logo" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
          <path d="M2 14 L7 8 L10 11 L16 3" fill="none" stroke="currentColor" strokeWidth="2.4" strokeLinecap="round" strokeLinejoin="round" />
        </svg>{' '}
        Faultline
      </a>
      <nav aria-label="Pages">
        {links.map((l) => (
          <a key={l.label} href={linkTo(l.route, d.location.params)} className={l.active ? 'active' : undefined} aria-current={l.active ? 'page' : undefined}>
            {l.label}
          </a>
        ))}
      </nav>
      <div className="controls">
        <AlertBadge alerts={alerts} href={linkTo({ page: 'incidents' }, d.location.params)} />
        <TimeRangePicker range={d.range} onChange={d.setRange} />
        <RunSelector options={runOptions(d.runs ?? [], d.run)} selected={d.run} onChange={d.setRun} />
        <label className="refresh">
          auto-refresh{' '}
          <select value={d.refresh.label} onChange={(e) => d.setRefresh(e.target.value)} aria-label="Auto-refresh period">
            {REFRESH_OPTIONS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={d.refreshNow} title="Refresh now" aria-label="Refresh now">
          ↻
        </button>
        <button
          type="button"
          className={`live-indicator ${status}`}
          data-testid="live-indicator"
          data-status={status}
          onClick={d.live.toggle}
          disabled={d.range.kind === 'absolute'}
          aria-pressed={!d.live.paused}
          title={d.live.reason ? `Paused: ${d.live.reason}` : 'Click to pause live updates'}
        >
          <span className="dot" aria-hidden="true" />
          {STATUS_TEXT[status]}
          {d.live.reason === 'fixed time range' ? ' (fixed range)' : ''}
        </button>
      </div>
    </header>
  );
}
