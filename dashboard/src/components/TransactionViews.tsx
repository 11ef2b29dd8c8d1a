// Transactions: a table of one group and the timeline of one transaction. Presentational.
import type { TransactionDetail } from '../api/types.js';
import { formatDateTime, formatMs, serviceColor } from '../model/format.js';
import type { Timeline, TransactionRow } from '../model/transactions.js';

const STATE_CLASS: Record<string, string> = {
  running: 'health-healthy',
  compensating: 'health-degraded',
  stuck: 'health-failing',
  failed: 'health-failing',
  completed: 'health-idle',
  compensated: 'health-idle',
};

export function TransactionTable({ title, rows, selectedId, onSelect, testId }: { title: string; rows: readonly TransactionRow[]; selectedId: string | null; onSelect: (id: string) => void; testId: string }) {
  return (
    <section className="panel tx-group" aria-label={title} data-testid={testId}>
      <h2>
        {title} ({rows.length})
      </h2>
      {rows.length === 0 ? (
        <p className="muted">none</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>id</th>
              <th>type</th>
              <th>state</th>
              <th>age</th>
              <th>idle</th>
              <th>step</th>
              <th>services</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.id} className={t.id === selectedId ? 'selected' : undefined} data-testid="transaction" data-id={t.id} data-state={t.state}>
                <td>
                  <button type="button" className="link strong" onClick={() => onSelect(t.id)} aria-pressed={t.id === selectedId}>
                    {t.id}
                  </button>
                </td>
                <td>{t.type}</td>
                <td>
                  <span className={`badge ${STATE_CLASS[t.state] ?? ''}`}>{t.state}</span>
                </td>
                <td data-testid="tx-age">{formatMs(t.ageMs)}</td>
                <td>{formatMs(t.idleMs)}</td>
                <td>{t.step ?? '–'}</td>
                <td>{t.services.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function TransactionTimelineView({ tx, timeline, traceHref }: { tx: TransactionDetail; timeline: Timeline; traceHref: (traceId: string) => string }) {
  return (
    <section className="panel tx-timeline" aria-label={`Transaction ${tx.id}`} data-testid="tx-timeline">
      <h2>
        {tx.type} {tx.id} <span className={`badge ${STATE_CLASS[tx.state] ?? ''}`}>{tx.state}</span>{' '}
        <span className="muted">
          {formatDateTime(timeline.startMs)} · {formatMs(timeline.endMs - timeline.startMs)}
        </span>
      </h2>
      {timeline.rows.length === 0 ? (
        <p className="muted">No steps recorded yet.</p>
      ) : (
        <ol className="tx-steps">
          {timeline.rows.map((r, i) => (
            <li key={`${r.name}/${i}`} data-testid="tx-step" data-state={r.state}>
              <span className="tx-step-label">
                <strong>{r.name}</strong> <span className="muted">{r.service}</span> <span className={`badge ${r.state === 'failed' ? 'health-failing' : r.state.startsWith('compensat') ? 'health-degraded' : 'health-healthy'}`}>{r.state}</span>
              </span>
              <span className="tx-step-track">
                <span className="tx-step-bar" style={{ left: `${r.leftPct}%`, width: `${r.widthPct}%`, background: serviceColor(r.service) }} title={`${formatDateTime(r.startMs)}${r.endMs !== null ? ` · ${formatMs(r.endMs - r.startMs)}` : ' · not finished'}`} />
              </span>
              <a href={traceHref(r.traceId)} className="muted">
                trace →
              </a>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
