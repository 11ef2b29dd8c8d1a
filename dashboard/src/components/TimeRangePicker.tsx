import { useState } from 'react';
import { RANGE_PRESETS, describeRange, type TimeRange } from '../model/timeRange.js';

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function TimeRangePicker({ range, onChange }: { range: TimeRange; onChange: (r: TimeRange) => void }) {
  const [custom, setCustom] = useState(false);
  const [from, setFrom] = useState(() => toLocalInput(Date.now() - 3_600_000));
  const [to, setTo] = useState(() => toLocalInput(Date.now()));
  const [error, setError] = useState<string | null>(null);
  const apply = () => {
    const fromMs = new Date(from).getTime();
    const toMs = new Date(to).getTime();
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) {
      setError('“to” must be after “from”');
      return;
    }
    setError(null);
    setCustom(false);
    onChange({ kind: 'absolute', fromMs, toMs });
  };
  return (
    <div className="range-picker" role="group" aria-label="Time range">
      {RANGE_PRESETS.map((p) => {
        const active = range.kind === 'relative' && range.durationMs === p.durationMs;
        return (
          <button key={p.label} type="button" className={active ? 'seg active' : 'seg'} aria-pressed={active} onClick={() => onChange({ kind: 'relative', durationMs: p.durationMs, label: p.label })}>
            {p.label}
          </button>
        );
      })}
      <button type="button" className={range.kind === 'absolute' ? 'seg active' : 'seg'} aria-pressed={range.kind === 'absolute'} aria-expanded={custom} onClick={() => setCustom((c) => !c)}>
        custom
      </button>
      {range.kind === 'absolute' && <span className="range-text">{describeRange(range)}</span>}
      {custom && (
        <div className="custom-range">
          <label>
            from <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            to <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <button type="button" onClick={apply}>
            Apply
          </button>
          {error && <span className="field-error">{error}</span>}
        </div>
      )}
    </div>
  );
}
