import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { formatMs, serviceColor } from '../model/format.js';
import { computeVirtualWindow, scrollTopForRow } from '../model/virtualWindow.js';
import type { CriticalSection } from '../model/criticalPath.js';
import type { MarkerKind, Waterfall as WaterfallModel, WaterfallRow } from '../model/waterfall.js';

export const ROW_HEIGHT_PX = 26;
const VIEWPORT_PX = 560;

export const MARKER_GLYPH: Record<MarkerKind, string> = {
  retry: '↻',
  timeout: '◔',
  breaker: '⚡',
  rejected: '⊘',
  fallback: '⤷',
  idempotency: '≡',
  fault: '✸',
  budget: '∅',
  exception: '!',
  other: '•',
};

export interface WaterfallProps {
  model: WaterfallModel;
  rows: WaterfallRow[];
  collapsed: ReadonlySet<string>;
  onToggle: (spanId: string) => void;
  selectedSpanId: string | null;
  onSelect: (spanId: string) => void;
  /** Row to bring into view once (e.g. the first error when a trace opens). */
  scrollToSpanId?: string | null;
  /** Critical-path sections per span id, drawn over the bars when given. */
  critical?: ReadonlyMap<string, readonly CriticalSection[]> | null;
}

export function Waterfall({ model, rows, collapsed, onToggle, selectedSpanId, onSelect, scrollToSpanId, critical }: WaterfallProps) {
  const pctOf = (ms: number) => ((ms - model.traceStartMs) / Math.max(1e-9, model.traceDurationMs)) * 100;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const viewport = Math.min(VIEWPORT_PX, Math.max(ROW_HEIGHT_PX * 4, rows.length * ROW_HEIGHT_PX));
  const win = computeVirtualWindow({ scrollTopPx: scrollTop, viewportPx: viewport, rowHeightPx: ROW_HEIGHT_PX, rowCount: rows.length, overscanRows: 10 });

  useEffect(() => {
    if (!scrollToSpanId || !ref.current) return;
    const index = rows.findIndex((r) => r.span.spanId === scrollToSpanId);
    if (index < 0) return;
    const top = scrollTopForRow(index, ROW_HEIGHT_PX, viewport, rows.length);
    ref.current.scrollTop = top;
    setScrollTop(top);
    // Only when the requested row changes: re-running on every render would pin the scroll.
  }, [scrollToSpanId]); // eslint-disable-line react-hooks/exhaustive-deps

  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const onKey = (row: WaterfallRow, index: number) => (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(row.span.spanId);
    } else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && row.childCount > 0) {
      const isCollapsed = collapsed.has(row.span.spanId);
      if ((e.key === 'ArrowLeft') !== isCollapsed) onToggle(row.span.spanId);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = Math.max(0, Math.min(rows.length - 1, index + (e.key === 'ArrowDown' ? 1 : -1)));
      const el = ref.current;
      if (!el) return;
      const top = next * ROW_HEIGHT_PX;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT_PX > el.scrollTop + viewport) el.scrollTop = top + ROW_HEIGHT_PX - viewport;
      setScrollTop(el.scrollTop);
      requestAnimationFrame(() => (el.querySelector(`[data-index="${next}"]`) as HTMLElement | null)?.focus());
    }
  };

  return (
    <div className="waterfall" data-testid="waterfall" data-row-count={rows.length}>
      <div className="wf-header">
        <div className="wf-name-col">Service · operation</div>
        <div className="wf-time-col">
          {ticks.map((t) => (
            <span key={t} className="wf-tick" style={{ left: `${t * 100}%` }}>
              {formatMs(model.traceDurationMs * t)}
            </span>
          ))}
        </div>
      </div>
      <div className="wf-body" ref={ref} style={{ height: viewport }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} role="tree" aria-label="Spans">
        <div style={{ height: win.totalPx, position: 'relative' }}>
          <div style={{ transform: `translateY(${win.offsetPx}px)` }}>
            {rows.slice(win.start, win.end).map((row, i) => {
              const index = win.start + i;
              const s = row.span;
              const isCollapsed = collapsed.has(s.spanId);
              const sections = critical?.get(s.spanId) ?? [];
              const counts = new Map<MarkerKind, number>();
              for (const m of row.markers) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
              return (
                <div
                  key={s.spanId}
                  className={`wf-row${row.isError ? ' error' : ''}${selectedSpanId === s.spanId ? ' selected' : ''}${row.attempt !== null ? ' attempt' : ''}`}
                  style={{ height: ROW_HEIGHT_PX }}
                  data-testid="wf-row"
                  data-span-id={s.spanId}
                  data-error={row.isError ? 'true' : 'false'}
                  data-critical={sections.length > 0 ? 'true' : 'false'}
                  data-index={index}
                  role="treeitem"
                  aria-level={row.depth + 1}
                  aria-expanded={row.childCount > 0 ? !isCollapsed : undefined}
                  aria-selected={selectedSpanId === s.spanId}
                  tabIndex={0}
                  onClick={() => onSelect(s.spanId)}
                  onKeyDown={onKey(row, index)}
                >
                  <div className="wf-name-col" style={{ paddingLeft: 6 + Math.min(row.depth, 40) * 14 }}>
                    {row.childCount > 0 ? (
                      <button
                        type="button"
                        className="wf-toggle"
                        tabIndex={-1}
                        aria-label={isCollapsed ? `Expand ${row.childCount} children` : 'Collapse children'}
                        onClick={(e) => {
                          e.stopPropagation();
                          onToggle(s.spanId);
                        }}
                      >
                        {isCollapsed ? '▸' : '▾'}
                      </button>
                    ) : (
                      <span className="wf-toggle-space" />
                    )}
                    <span className="svc-chip" style={{ borderColor: serviceColor(s.service), color: serviceColor(s.service) }}>
                      {s.service}
                    </span>
                    {row.attempt !== null && <span className="attempt-tag">attempt {row.attempt}</span>}
                    <span className="wf-op" title={s.name}>
                      {s.name}
                    </span>
                    {row.isError && <span className="err-tag">✕ error</span>}
                    {[...counts].map(([kind, n]) => (
                      <span key={kind} className={`marker-count m-${kind}`} title={`${n} ${kind} event${n === 1 ? '' : 's'}`}>
                        {MARKER_GLYPH[kind]}
                        {n > 1 ? `×${n}` : ''}
                      </span>
                    ))}
                  </div>
                  <div className="wf-time-col">
                    <div
                      className="wf-bar"
                      style={{ left: `${row.offsetPct}%`, width: `max(2px, ${row.widthPct}%)`, background: row.isError ? undefined : serviceColor(s.service) }}
                    />
                    {sections.map((c) => (
                      <div key={c.startMs} className="wf-critical" data-testid="wf-critical" style={{ left: `${pctOf(c.startMs)}%`, width: `max(2px, ${pctOf(c.endMs) - pctOf(c.startMs)}%)` }} title={`critical path: ${formatMs(c.endMs - c.startMs)}`} />
                    ))}
                    {/* Beside the bar's end; the column keeps a margin on the right so a full-width bar has room too. */}
                    <span className="wf-dur" data-testid="wf-dur" style={{ left: `calc(${row.offsetPct + row.widthPct}% + 4px)` }}>
                      {formatMs(s.durationMs)}
                    </span>
                    {row.markers.map((m, j) => (
                      <span
                        key={j}
                        className={`wf-marker m-${m.kind}`}
                        data-testid={`marker-${m.kind}`}
                        style={{ left: `${m.offsetPct}%` }}
                        title={`${m.label} at +${formatMs(m.timeMs - model.traceStartMs)}`}
                        aria-label={m.label}
                      >
                        {MARKER_GLYPH[m.kind]}
                      </span>
                    ))}
                  </div>
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}

export function MarkerLegend() {
  const entries: [MarkerKind, string][] = [
    ['retry', 'retry'],
    ['timeout', 'timeout'],
    ['breaker', 'breaker state change'],
    ['rejected', 'short-circuit / bulkhead reject'],
    ['fallback', 'fallback'],
    ['idempotency', 'idempotent replay'],
    ['fault', 'injected fault'],
    ['exception', 'exception'],
  ];
  return (
    <ul className="legend marker-legend" aria-label="Event markers">
      {entries.map(([k, text]) => (
        <li key={k}>
          <span className={`wf-marker-static m-${k}`}>{MARKER_GLYPH[k]}</span> {text}
        </li>
      ))}
    </ul>
  );
}
