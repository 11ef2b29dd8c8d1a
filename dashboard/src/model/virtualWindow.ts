// Which rows of a long list to render: only those in (or near) the viewport.

export interface VirtualWindowInput {
  scrollTopPx: number;
  viewportPx: number;
  rowHeightPx: number;
  rowCount: number;
  /** Rows rendered beyond each edge of the viewport, so fast scrolling shows no gaps. */
  overscanRows?: number;
}

export interface VirtualWindow {
  /** First rendered row (inclusive). */
  start: number;
  /** Last rendered row (exclusive). */
  end: number;
  /** Translate of the first rendered row. */
  offsetPx: number;
  /** Height of the whole list. */
  totalPx: number;
}

export function computeVirtualWindow(input: VirtualWindowInput): VirtualWindow {
  const rowHeight = Math.max(1, input.rowHeightPx);
  const count = Math.max(0, Math.floor(input.rowCount));
  const overscan = Math.max(0, input.overscanRows ?? 8);
  const totalPx = count * rowHeight;
  const maxScroll = Math.max(0, totalPx - Math.max(0, input.viewportPx));
  const scrollTop = Math.min(Math.max(0, input.scrollTopPx), maxScroll);
  const first = Math.floor(scrollTop / rowHeight);
  const visible = Math.ceil(Math.max(0, input.viewportPx) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end: Math.max(start, end), offsetPx: start * rowHeight, totalPx };
}

/** Scroll position that brings row `index` into view (centred when possible). */
export function scrollTopForRow(index: number, rowHeightPx: number, viewportPx: number, rowCount: number): number {
  const total = rowCount * rowHeightPx;
  const target = index * rowHeightPx - viewportPx / 2 + rowHeightPx / 2;
  return Math.max(0, Math.min(target, Math.max(0, total - viewportPx)));
}
