// Time ranges as they live in the URL: a relative preset (`range=15m`) that
// follows "now", or a fixed window (`from`/`to` epoch ms).

export type TimeRange =
  | { kind: 'relative'; durationMs: number; label: string }
  | { kind: 'absolute'; fromMs: number; toMs: number };

export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

export const RANGE_PRESETS: readonly { label: string; durationMs: number }[] = [
  { label: '5m', durationMs: 5 * 60_000 },
  { label: '15m', durationMs: 15 * 60_000 },
  { label: '1h', durationMs: 60 * 60_000 },
  { label: '6h', durationMs: 6 * 60 * 60_000 },
  { label: '24h', durationMs: 24 * 60 * 60_000 },
];

export const DEFAULT_RANGE: TimeRange = { kind: 'relative', durationMs: 15 * 60_000, label: '15m' };
/** Longest relative range accepted from a URL (30 days): bounds what one view asks the collector for. */
export const MAX_RANGE_MS = 30 * 24 * 60 * 60_000;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `5m`, `1h`, `2d`; null when malformed, zero or over MAX_RANGE_MS. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms > 0 && ms <= MAX_RANGE_MS ? ms : null;
}

export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const u = UNIT_MS[unit]!;
    if (ms >= u && ms % u === 0) return `${ms / u}${unit}`;
  }
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

/** Reads the range from URL params; anything malformed falls back to the default with a warning. */
export function parseTimeRange(params: URLSearchParams): { result: TimeRange; warnings: string[] } {
  const from = params.get('from');
  const to = params.get('to');
  if (from !== null && to !== null) {
    const fromMs = Number(from);
    const toMs = Number(to);
    if (Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs >= 0 && toMs > fromMs) {
      return { result: { kind: 'absolute', fromMs, toMs }, warnings: [] };
    }
    return { result: DEFAULT_RANGE, warnings: [`ignored invalid time window from=${from} to=${to}`] };
  }
  const range = params.get('range');
  if (range !== null) {
    const durationMs = parseDuration(range);
    if (durationMs !== null) return { result: { kind: 'relative', durationMs, label: formatDuration(durationMs) }, warnings: [] };
    return { result: DEFAULT_RANGE, warnings: [`ignored invalid range=${range}`] };
  }
  return { result: DEFAULT_RANGE, warnings: [] };
}

/** Writes the range into a copy of `params` (relative default is left out to keep links short). */
export function writeTimeRange(params: URLSearchParams, range: TimeRange): URLSearchParams {
  const out = new URLSearchParams(params);
  out.delete('from');
  out.delete('to');
  out.delete('range');
  if (range.kind === 'absolute') {
    out.set('from', String(Math.round(range.fromMs)));
    out.set('to', String(Math.round(range.toMs)));
  } else if (DEFAULT_RANGE.kind !== 'relative' || range.durationMs !== DEFAULT_RANGE.durationMs) {
    out.set('range', formatDuration(range.durationMs));
  }
  return out;
}

export function resolveWindow(range: TimeRange, nowMs: number): TimeWindow {
  if (range.kind === 'absolute') return { fromMs: range.fromMs, toMs: range.toMs };
  return { fromMs: nowMs - range.durationMs, toMs: nowMs };
}

export function describeRange(range: TimeRange): string {
  if (range.kind === 'relative') return `last ${range.label}`;
  return `${new Date(range.fromMs).toISOString().slice(0, 19).replace('T', ' ')} → ${new Date(range.toMs).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export const REFRESH_OPTIONS: readonly string[] = ['off', '5s', '15s', '30s', '1m'];
export const DEFAULT_REFRESH = '15s';

/** Auto-refresh period from the `refresh` URL param; null means off. */
export function parseRefresh(value: string | null): { label: string; periodMs: number | null } {
  const v = value ?? DEFAULT_REFRESH;
  if (v === 'off') return { label: 'off', periodMs: null };
  const ms = parseDuration(v);
  if (ms === null || ms < 1000) return { label: DEFAULT_REFRESH, periodMs: parseDuration(DEFAULT_REFRESH) };
  return { label: v, periodMs: ms };
}
