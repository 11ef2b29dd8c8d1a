import { collectorApi } from '../api/collector.js';
import type { Alert } from '../api/types.js';
import type { Dashboard } from './useDashboard.js';
import { useApi } from './useApi.js';

/** Alerts active in the dashboard's window, refreshed with it. */
export function useAlerts(d: Pick<Dashboard, 'rangeKey' | 'tick' | 'window'>): { alerts: Alert[]; error: boolean } {
  const state = useApi(`alerts:${d.rangeKey}`, d.tick, (signal) => collectorApi.alerts(d.window, signal));
  return { alerts: state.data ?? [], error: state.error !== undefined };
}
