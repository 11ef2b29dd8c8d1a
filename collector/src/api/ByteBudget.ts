/** A counter of bytes held in memory with a hard ceiling. */
export class ByteBudget {
  private used = 0;
  constructor(readonly maxBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  tryTake(bytes: number): boolean {
    // One request may always proceed alone, or nothing larger than the budget could ever pass.
    if (this.used > 0 && this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
