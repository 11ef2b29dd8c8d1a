/**
 * Checks resolved detector options once: every field a finite number ≥ 0, or a RangeError that
 * names the detector and the field (options are programmer input; a NaN would silently disable a
 * threshold).
 */
export function requireNonNegative(owner: string, options: object): void {
  for (const [key, value] of Object.entries(options)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`${owner}: ${key} must be a finite number ≥ 0`);
  }
}
