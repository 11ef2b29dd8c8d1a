// Accuracy of ranked root causes against labelled cases: AC@k and Avg@5, as the dataset
// READMEs define them. Pure.

export const K_MAX = 5;

/** 1-based rank of `label` among `ranked` services after merging repeats (best rank counts); null when absent. */
export function rankOf(ranked: readonly string[], label: string): number | null {
  const unique = [...new Set(ranked)];
  const i = unique.indexOf(label);
  return i === -1 ? null : i + 1;
}

export interface Accuracy {
  cases: number;
  ac1: number;
  ac3: number;
  avg5: number;
  /** AC@1..AC@5. */
  acAt: number[];
}

/** Accuracy over ranks (null = miss). Empty input gives zeros. */
export function accuracy(ranks: readonly (number | null)[]): Accuracy {
  const n = ranks.length;
  const acAt = Array.from({ length: K_MAX }, (_, k) => (n === 0 ? 0 : ranks.filter((r) => r !== null && r <= k + 1).length / n));
  return { cases: n, ac1: acAt[0]!, ac3: acAt[2]!, avg5: acAt.reduce((a, b) => a + b, 0) / K_MAX, acAt };
}

/** Expected accuracy of a random order of `candidates` services per case (label among them). */
export function randomAccuracy(candidates: readonly number[]): Accuracy {
  const n = candidates.length;
  const acAt = Array.from({ length: K_MAX }, (_, k) => (n === 0 ? 0 : candidates.reduce((sum, c) => sum + Math.min(1, (k + 1) / Math.max(1, c)), 0) / n));
  return { cases: n, ac1: acAt[0]!, ac3: acAt[2]!, avg5: acAt.reduce((a, b) => a + b, 0) / K_MAX, acAt };
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function roundAccuracy(a: Accuracy): Accuracy {
  return { cases: a.cases, ac1: round(a.ac1), ac3: round(a.ac3), avg5: round(a.avg5), acAt: a.acAt.map((x) => round(x)) };
}

export interface IncidentLike {
  startMs: number;
  endMs: number;
}

/** The incident whose window holds `injectMs`, else the first one starting after it, else null (a miss). */
export function pickIncident<T extends IncidentLike>(incidents: readonly T[], injectMs: number): T | null {
  const holding = incidents.filter((i) => i.startMs <= injectMs && i.endMs >= injectMs).sort((a, b) => b.startMs - a.startMs)[0];
  if (holding) return holding;
  return incidents.filter((i) => i.startMs > injectMs).sort((a, b) => a.startMs - b.startMs)[0] ?? null;
}
