import { legendEntries } from '../model/health.js';

export function HealthLegend() {
  return (
    <ul className="legend" aria-label="Health legend" data-testid="health-legend">
      {legendEntries().map((e) => (
        <li key={e.health}>
          <span className={`swatch health-${e.health}`} /> {e.text}
        </li>
      ))}
      <li>
        <span className="swatch virtual" /> ◌ virtual: called but not instrumented
      </li>
      <li>on calls: ↻ retries · ◔ timeouts · ⊘ short-circuits (breaker open)</li>
    </ul>
  );
}
