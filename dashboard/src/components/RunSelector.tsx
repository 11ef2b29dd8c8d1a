import type { RunOption } from '../model/run.js';

/** The run (`service.namespace`) every view shows; nothing rendered when the window holds no runs. */
export function RunSelector({ options, selected, onChange }: { options: readonly RunOption[]; selected: string | null; onChange: (run: string | null) => void }) {
  if (options.length === 0) return null;
  return (
    <label className="run-select">
      run{' '}
      <select value={selected ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)} aria-label="Run (service.namespace)" data-testid="run-select">
        <option value="">all runs</option>
        {options.map((o) => (
          <option key={o.namespace} value={o.namespace}>
            {o.inWindow ? o.namespace : `${o.namespace} (no data in range)`}
          </option>
        ))}
      </select>
    </label>
  );
}
