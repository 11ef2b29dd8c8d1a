// Memoised root-cause answers. Computing one reads several span samples and ranks them (tens
// to hundreds of ms); a dashboard asks every few seconds for "the last hour until now", a
// window that moves a little each time. An answer computed at most `staleMs` ago for a window
// whose ends are each within `staleMs` of the one asked is served at once (its incidents
// trimmed to the window asked), and once it is older than `refreshAfterMs` a fresh one is
// computed in the background for the next request. So an answer reflects the store as it was
// at most `staleMs` (plus one computation) earlier.

/** What is cached: one answer per window. */
export interface CachedAnswer<I extends { startMs: number; endMs: number }> {
  incidents: I[];
}

export interface WindowRange {
  fromMs: number;
  toMs: number;
}

export interface AnswerCacheOptions {
  /** An answer computed longer ago than this, ms, or for a window whose ends differ from the one asked by more, is not served. Default 5,000. */
  staleMs?: number;
  /** A served answer older than this, ms, is recomputed in the background (one computation at a time per cache). Default 1,000. */
  refreshAfterMs?: number;
  /** Windows remembered at most. Default 64. */
  entriesMax?: number;
}

interface Entry<A> {
  /** Answers of different scopes (a filter such as a namespace) are never served for one another. */
  scope: string;
  range: WindowRange;
  computedAtMs: number;
  answer: Promise<A>;
  settled: boolean;
}

export class AnswerCache<I extends { startMs: number; endMs: number }, A extends CachedAnswer<I>> {
  private readonly entries = new Map<string, Entry<A>>();
  private refreshing = false;
  private readonly staleMs: number;
  private readonly refreshAfterMs: number;
  private readonly entriesMax: number;

  constructor(
    private readonly compute: (range: WindowRange, nowMs: number, scope: string) => Promise<A>,
    options: AnswerCacheOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 5_000;
    this.refreshAfterMs = options.refreshAfterMs ?? 1_000;
    this.entriesMax = options.entriesMax ?? 64;
  }

  /** The answer for `range` (within `scope`, e.g. a namespace filter; '' for none). */
  get(range: WindowRange, nowMs: number, scope = ''): Promise<A> {
    this.evict(nowMs);
    const exact = this.entries.get(keyOf(scope, range));
    if (exact) {
      this.maybeRefresh(exact, range, nowMs);
      return exact.answer;
    }
    const near = this.nearest(scope, range);
    if (near) {
      this.maybeRefresh(near, range, nowMs);
      return near.answer.then((a) => trimmed(a, range));
    }
    return this.start(scope, range, nowMs).answer;
  }

  /** The answer (settled or under way) closest to `range` that may still be served (null: none). */
  private nearest(scope: string, range: WindowRange): Entry<A> | null {
    let best: Entry<A> | null = null;
    let bestDistance = Infinity;
    for (const e of this.entries.values()) {
      if (e.scope !== scope) continue;
      const distance = Math.max(Math.abs(e.range.fromMs - range.fromMs), Math.abs(e.range.toMs - range.toMs));
      if (distance <= this.staleMs && distance < bestDistance) {
        best = e;
        bestDistance = distance;
      }
    }
    return best;
  }

  private maybeRefresh(served: Entry<A>, range: WindowRange, nowMs: number): void {
    if (!served.settled || this.refreshing || nowMs - served.computedAtMs < this.refreshAfterMs) return;
    this.refreshing = true;
    const fresh = this.start(served.scope, range, nowMs);
    fresh.answer.then(
      () => (this.refreshing = false),
      () => (this.refreshing = false),
    );
  }

  private start(scope: string, range: WindowRange, nowMs: number): Entry<A> {
    while (this.entries.size >= this.entriesMax) this.entries.delete(this.entries.keys().next().value!);
    const key = keyOf(scope, range);
    const entry: Entry<A> = { scope, range, computedAtMs: nowMs, answer: this.compute(range, nowMs, scope), settled: false };
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.answer.then(
      () => {
        entry.settled = true;
        // A newer answer for a nearby window makes the older ones redundant.
        for (const [k, e] of this.entries) if (e !== entry && e.settled && e.scope === scope && e.computedAtMs < entry.computedAtMs && this.close(e.range, range)) this.entries.delete(k);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry;
  }

  private close(a: WindowRange, b: WindowRange): boolean {
    return Math.abs(a.fromMs - b.fromMs) <= this.staleMs && Math.abs(a.toMs - b.toMs) <= this.staleMs;
  }

  private evict(nowMs: number): void {
    for (const [k, e] of this.entries) if (e.settled && nowMs - e.computedAtMs > this.staleMs) this.entries.delete(k);
  }
}

function keyOf(scope: string, range: WindowRange): string {
  return `${scope}\u0000${range.fromMs}:${range.toMs}`;
}

/** The answer with only the incidents that overlap `range`. */
function trimmed<I extends { startMs: number; endMs: number }, A extends CachedAnswer<I>>(answer: A, range: WindowRange): A {
  const incidents = answer.incidents.filter((i) => i.endMs >= range.fromMs && i.startMs <= range.toMs);
  return incidents.length === answer.incidents.length ? answer : { ...answer, incidents };
}
