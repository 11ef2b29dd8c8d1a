import { ConfigError } from '../errors/ConfigError.js';

/** Edit distance (insert, delete, substitute), for "did you mean" on option typos. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      const left = row[j - 1] ?? 0;
      row[j] = Math.min(above + 1, left + 1, diagonal + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** The valid key closest to `key`, when one is close enough to be the likely intent. */
export function nearestKey(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/**
 * Throws a ConfigError for the first key of `options` that is not in `valid`, naming the
 * nearest valid one: a typo such as `maxAttempt` must not silently fall back to a default.
 * `path` prefixes the key in the error (`policies.retry.`).
 */
export function checkKeys(options: object | undefined, valid: readonly string[], path = ''): void {
  if (options === undefined || options === null || typeof options !== 'object') return;
  for (const key of Object.keys(options)) {
    if (valid.includes(key)) continue;
    const near = nearestKey(key, valid);
    throw new ConfigError(`${path}${key}`, near === undefined ? `unknown option; valid: ${valid.join(', ')}` : `unknown option; did you mean "${path}${near}"?`);
  }
}
