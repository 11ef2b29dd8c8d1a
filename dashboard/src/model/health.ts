// Health classes shown on the map, always with a text label (never colour alone).

export type Health = 'healthy' | 'degraded' | 'failing' | 'idle';

export interface HealthThresholds {
  /** Error rate (0..1) at or above which a node is degraded. Default 0.001 (0.1 %). */
  degradedErrorRate: number;
  /** Error rate (0..1) at or above which a node is failing. Default 0.1 (10 %). */
  failingErrorRate: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { degradedErrorRate: 0.001, failingErrorRate: 0.1 };

export function classifyHealth(stats: { requests: number; errors: number; errorRate?: number }, thresholds: HealthThresholds = DEFAULT_THRESHOLDS): Health {
  if (stats.requests <= 0) return stats.errors > 0 ? 'failing' : 'idle';
  const rate = stats.errorRate ?? stats.errors / stats.requests;
  if (rate >= thresholds.failingErrorRate) return 'failing';
  if (rate >= thresholds.degradedErrorRate) return 'degraded';
  return 'healthy';
}

export const HEALTH_LABEL: Record<Health, string> = {
  healthy: 'healthy',
  degraded: 'degraded',
  failing: 'failing',
  idle: 'no traffic',
};

export function legendEntries(thresholds: HealthThresholds = DEFAULT_THRESHOLDS): { health: Health; text: string }[] {
  const pct = (r: number) => `${+(r * 100).toFixed(2)}%`;
  return [
    { health: 'healthy', text: `healthy: errors < ${pct(thresholds.degradedErrorRate)}` },
    { health: 'degraded', text: `degraded: errors ≥ ${pct(thresholds.degradedErrorRate)}` },
    { health: 'failing', text: `failing: errors ≥ ${pct(thresholds.failingErrorRate)}` },
    { health: 'idle', text: 'no traffic in range' },
  ];
}
