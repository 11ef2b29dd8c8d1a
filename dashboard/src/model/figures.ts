// Which figures a view shows: the collector's `current` (last complete minute) by default,
// the range figures (over the minutes that hold data) as history. Both come from the API.
import type { CurrentFigures, Rates } from '../api/types.js';
import { formatMs, formatPct } from './format.js';
import { classifyHealth, type Health, type HealthThresholds, DEFAULT_THRESHOLDS } from './health.js';

export interface Figures {
  requestsPerSec: number;
  errors: number;
  errorRate: number;
  p95Ms: number;
  hasTraffic: boolean;
}

export type WithFigures = Rates & { requestsPerSec: number; current: CurrentFigures };

/** The last complete minute of the window that holds data. */
export function currentFigures(x: WithFigures): Figures {
  const c = x.current;
  return { requestsPerSec: c.requestsPerSec, errors: c.errors, errorRate: c.errorRate, p95Ms: c.p95Ms, hasTraffic: c.requestsPerSec > 0 || c.errors > 0 };
}

export function rangeFigures(x: WithFigures): Figures {
  return { requestsPerSec: x.requestsPerSec, errors: x.errors, errorRate: x.errorRate, p95Ms: x.p95Ms, hasTraffic: x.requests > 0 || x.errors > 0 };
}

export function formatPerSec(perSec: number | null): string {
  if (perSec === null || !Number.isFinite(perSec)) return '–';
  if (perSec === 0) return '0/s';
  if (perSec < 0.1) return `${(perSec * 60).toFixed(1)}/min`;
  if (perSec < 10) return `${perSec.toFixed(1)}/s`;
  return `${Math.round(perSec)}/s`;
}

/** "2.0/s · 5.0% err · p95 40 ms", or "no traffic" when the figures hold none. */
export function figuresLine(f: Figures): string {
  if (!f.hasTraffic) return 'no traffic';
  return `${formatPerSec(f.requestsPerSec)} · ${formatPct(f.errorRate)} err · p95 ${formatMs(f.p95Ms)}`;
}

export function figuresHealth(f: Figures, thresholds: HealthThresholds = DEFAULT_THRESHOLDS): Health {
  if (!f.hasTraffic) return 'idle';
  return classifyHealth({ requests: 1, errors: f.errors, errorRate: f.errorRate }, thresholds);
}
