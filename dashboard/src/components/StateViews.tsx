import { useState, type FormEvent, type ReactNode } from 'react';
import { remedyFor, type ApiError } from '../api/errors.js';
import { TOKEN_STORAGE_KEY } from '../api/http.js';

/** Stores the collector token (FAULTLINE_TOKEN) in this browser and reloads. */
function TokenForm() {
  const [token, setToken] = useState('');
  const save = (e: FormEvent) => {
    e.preventDefault();
    try {
      localStorage.setItem(TOKEN_STORAGE_KEY, token.trim());
    } catch {
      // Storage disabled: nothing to save into; the reload shows the same error.
    }
    window.location.reload();
  };
  return (
    <form onSubmit={save} className="token-form">
      <label>
        collector token <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" />
      </label>
      <button type="submit" disabled={!token.trim()}>
        Save and reload
      </button>
    </form>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function ErrorState({ error, onRetry, compact }: { error: ApiError; onRetry?: () => void; compact?: boolean }) {
  const title = error.kind === 'unreachable' ? 'Collector unreachable' : error.kind === 'not-found' ? 'Not found' : 'Request failed';
  return (
    <div className={`state state-error${compact ? ' compact' : ''}`} role="alert" data-testid="error-state">
      <strong>{title}</strong>
      <p>{error.message}</p>
      <p className="remedy">{remedyFor(error)}</p>
      {error.kind === 'unauthorized' && <TokenForm />}
      {onRetry && error.kind !== 'unauthorized' && (
        <button type="button" onClick={onRetry}>
          Retry now
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      <strong>{title}</strong>
      {children && <div className="hint">{children}</div>}
    </div>
  );
}

export function NoTelemetryHint() {
  return (
    <p>
      Point an OpenTelemetry exporter at this collector (<code>OTEL_EXPORTER_OTLP_ENDPOINT={window.location.origin}</code>), or run{' '}
      <code>pnpm demo</code> to start the demo shop with load. Widen the time range if data is older.
    </p>
  );
}

export function Warnings({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <details className="warnings">
      <summary>
        {warnings.length} data warning{warnings.length === 1 ? '' : 's'}
      </summary>
      <ul>
        {warnings.slice(0, 50).map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ul>
    </details>
  );
}
