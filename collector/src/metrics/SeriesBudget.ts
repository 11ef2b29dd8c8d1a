// Bounded cardinality for /metrics. Every label set (a service, an edge, a breaker, a
// transaction type) costs the number of series it renders. Label sets are admitted once,
// for the life of the process, while they fit under the cap; later ones are folded into
// the family's `other` label set, whose series are reserved up front so the total never
// passes the cap. Admission is sticky so that a label set never flips between its own
// series and `other` (either would make a counter jump backwards).

export const OTHER = 'other';

export interface SeriesCategory {
  /** Series one label set of this category renders. */
  cost: number;
}

export class SeriesBudget {
  private readonly admitted = new Map<string, Set<string>>();
  private readonly folded = new Map<string, Set<string>>();
  private used = 0;
  private readonly reserved: number;
  /** Distinct label sets folded into `other` since start. */
  droppedTotal = 0;
  /** Folded label sets remembered per category (so each is counted once); past it, repeats may count again. */
  static readonly FOLDED_REMEMBERED_MAX = 100_000;

  constructor(
    readonly maxSeries: number,
    private readonly categories: Readonly<Record<string, SeriesCategory>>,
  ) {
    this.reserved = Object.values(categories).reduce((n, c) => n + c.cost, 0);
    if (maxSeries < this.reserved) throw new Error(`metrics series cap must be at least ${this.reserved}, got ${maxSeries}`);
  }

  /** Series in use, including the reserved `other` label sets. */
  get seriesUsed(): number {
    return this.used + this.reserved;
  }

  /** True when `key` has (or now gets) its own series; false when it is folded into `other`. */
  admit(category: string, key: string): boolean {
    const cost = this.categories[category]?.cost;
    if (cost === undefined) throw new Error(`unknown series category ${category}`);
    let set = this.admitted.get(category);
    if (!set) this.admitted.set(category, (set = new Set()));
    if (set.has(key)) return true;
    let folded = this.folded.get(category);
    if (!folded) this.folded.set(category, (folded = new Set()));
    if (folded.has(key)) return false;
    if (this.used + cost + this.reserved <= this.maxSeries) {
      set.add(key);
      this.used += cost;
      return true;
    }
    this.droppedTotal++;
    if (folded.size < SeriesBudget.FOLDED_REMEMBERED_MAX) folded.add(key);
    return false;
  }
}
