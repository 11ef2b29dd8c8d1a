import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent, type WheelEvent } from 'react';
import { HEALTH_LABEL } from '../model/health.js';
import { EDGE_LABELS_MAX, MAP_TEXT, MAP_TEXT_MIN_PX, type LaidOutEdge, type LaidOutNode, type MapLayout, type Point } from '../model/graphLayout.js';
import type { Highlight } from '../model/pathHighlight.js';
import type { Sparkline } from '../model/sparkline.js';

export interface ServiceMapProps {
  layout: MapLayout;
  highlight?: Highlight | null;
  selectedNode?: string | null;
  selectedEdge?: string | null;
  onSelectNode?: (id: string) => void;
  onSelectEdge?: (key: string) => void;
  heightPx?: number;
  /** Sparkline per node id and per edge key (see model/sparkline), drawn when present. */
  sparklines?: ReadonlyMap<string, Sparkline>;
}

interface View {
  k: number;
  x: number;
  y: number;
}

const MIN_ZOOM = 0.1;
const MAX_ZOOM = 3;
/** Smallest rendered label size "fit" allows: below it, fit shows part of the map and the rest pans. */
export const LEGIBLE_TEXT_PX = 11;
const FIT_MIN_ZOOM = LEGIBLE_TEXT_PX / MAP_TEXT_MIN_PX;
const FIT_MAX_ZOOM = 1.4;
const FIT_MARGIN_PX = 8;

/** Straight segments with rounded corners: the line stays where the layout routed it (clear of labels). */
function pathFor(points: Point[]): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points;
  let d = `M${first!.x},${first!.y}`;
  for (let i = 0; i < rest.length; i++) {
    const p = rest[i]!;
    const prev = i === 0 ? first! : rest[i - 1]!;
    const next = rest[i + 1];
    if (!next) {
      d += ` L${p.x},${p.y}`;
      continue;
    }
    // Round the corner within a few px of the bend.
    const r = Math.min(6, Math.hypot(p.x - prev.x, p.y - prev.y) / 2, Math.hypot(next.x - p.x, next.y - p.y) / 2);
    const a = towards(p, prev, r);
    const b = towards(p, next, r);
    d += ` L${a.x},${a.y} Q${p.x},${p.y} ${b.x},${b.y}`;
  }
  return d;
}

function towards(from: Point, to: Point, distancePx: number): Point {
  const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return { x: +(from.x + ((to.x - from.x) / len) * distancePx).toFixed(2), y: +(from.y + ((to.y - from.y) / len) * distancePx).toFixed(2) };
}

function fitView(layout: MapLayout, widthPx: number, heightPx: number): View {
  if (layout.width <= 0 || layout.height <= 0 || widthPx <= 0) return { k: 1, x: 0, y: 0 };
  const k = Math.max(FIT_MIN_ZOOM, Math.min(FIT_MAX_ZOOM, widthPx / layout.width, heightPx / layout.height));
  // Too big to fit legibly: keep the entry points (left) and the top in view.
  const x = layout.width * k <= widthPx ? (widthPx - layout.width * k) / 2 : FIT_MARGIN_PX;
  const y = layout.height * k <= heightPx ? (heightPx - layout.height * k) / 2 : FIT_MARGIN_PX;
  return { k, x, y };
}

function clampZoom(k: number) {
  return Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, k));
}

export function ServiceMap({ layout, highlight, selectedNode, selectedEdge, onSelectNode, onSelectEdge, heightPx = 560, sparklines }: ServiceMapProps) {
  const ref = useRef<SVGSVGElement>(null);
  const [size, setSize] = useState({ w: 900, h: heightPx });
  const [view, setView] = useState<View>({ k: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; vx: number; vy: number; moved: boolean } | null>(null);
  // Pointer-up comes before click: remember whether the gesture was a drag so it does not select.
  const dragged = useRef(false);
  const shapeKey = useMemo(() => layout.nodes.map((n) => n.id).join('|'), [layout]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setSize({ w: el.clientWidth || 900, h: el.clientHeight || heightPx });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [heightPx]);

  // Re-fit when the set of services changes, not on every live refresh (that would fight the user's zoom).
  useEffect(() => setView(fitView(layout, size.w, size.h)), [shapeKey, size.w, size.h]); // eslint-disable-line react-hooks/exhaustive-deps

  const zoomAt = useCallback((factor: number, cx: number, cy: number) => {
    setView((v) => {
      const k = clampZoom(v.k * factor);
      const f = k / v.k;
      return { k, x: cx - (cx - v.x) * f, y: cy - (cy - v.y) * f };
    });
  }, []);

  const onWheel = (e: WheelEvent<SVGSVGElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - rect.left, e.clientY - rect.top);
  };
  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    if (e.button !== 0) return;
    dragged.current = false;
    drag.current = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false };
  };
  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return;
    if (!d.moved) e.currentTarget.setPointerCapture(e.pointerId);
    d.moved = true;
    setView((v) => ({ ...v, x: d.vx + dx, y: d.vy + dy }));
  };
  const onPointerUp = () => {
    if (drag.current?.moved) dragged.current = true;
    drag.current = null;
  };
  const wasDrag = () => dragged.current;

  const showAllLabels = (layout.edgeLabelsPlaced && layout.edges.length <= EDGE_LABELS_MAX) || view.k >= 0.9;
  const active = highlight && highlight.nodes.size > 0 ? highlight : null;

  const keySelect = (fn: () => void) => (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      fn();
    }
  };

  return (
    <div className="map-wrap" style={{ height: heightPx }} data-zoom={view.k.toFixed(3)}>
      <div className="map-tools" role="group" aria-label="Zoom">
        <button type="button" onClick={() => zoomAt(1.25, size.w / 2, size.h / 2)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => zoomAt(0.8, size.w / 2, size.h / 2)} aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={() => setView(fitView(layout, size.w, size.h))} aria-label="Fit to screen">
          fit
        </button>
        <span className="zoom-text">{Math.round(view.k * 100)}%</span>
      </div>
      <svg
        ref={ref}
        className="service-map"
        data-testid="service-map"
        role="group"
        aria-label={`Service map with ${layout.nodes.length} nodes and ${layout.edges.length} edges`}
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={onPointerUp}
      >
        <defs>
          {(['healthy', 'degraded', 'failing', 'idle', 'hl'] as const).map((h) => (
            <marker key={h} id={`arrow-${h}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" className={`arrow arrow-${h}`} />
            </marker>
          ))}
        </defs>
        <g transform={`translate(${view.x},${view.y}) scale(${view.k})`}>
          {layout.edges.map((e) => (
            <MapEdge
              key={e.key}
              edge={e}
              sparkline={sparklines?.get(e.key)}
              selected={selectedEdge === e.key}
              highlighted={active ? active.edges.has(e.key) : false}
              dimmed={active ? !active.edges.has(e.key) : false}
              showLabel={showAllLabels || selectedEdge === e.key || (active?.edges.has(e.key) ?? false)}
              onSelect={() => !wasDrag() && onSelectEdge?.(e.key)}
              onKey={keySelect(() => onSelectEdge?.(e.key))}
            />
          ))}
          {layout.nodes.map((n) => (
            <MapNode
              key={n.id}
              node={n}
              sparkline={sparklines?.get(n.id)}
              selected={selectedNode === n.id}
              highlighted={active ? active.nodes.has(n.id) : false}
              dimmed={active ? !active.nodes.has(n.id) : false}
              onSelect={() => !wasDrag() && onSelectNode?.(n.id)}
              onKey={keySelect(() => onSelectNode?.(n.id))}
            />
          ))}
        </g>
      </svg>
    </div>
  );
}

interface ElementProps {
  selected: boolean;
  highlighted: boolean;
  dimmed: boolean;
  onSelect: () => void;
  onKey: (e: KeyboardEvent) => void;
}

function SparklineSvg({ sparkline, x, y, width, height, label }: { sparkline: Sparkline | undefined; x: number; y: number; width: number; height: number; label: string }) {
  if (!sparkline) return null;
  return (
    <g className="sparkline" transform={`translate(${x},${y})`} data-testid="sparkline" aria-label={label}>
      <path d={sparkline.requests} className="spark-requests" />
      {sparkline.anyErrors && <path d={sparkline.errors} className="spark-errors" />}
    </g>
  );
}

function MapNode({ node, sparkline, selected, highlighted, dimmed, onSelect, onKey }: ElementProps & { node: LaidOutNode; sparkline: Sparkline | undefined }) {
  const x = node.x - node.width / 2;
  const y = node.y - node.height / 2;
  const pad = MAP_TEXT.nodePaddingPx;
  const nameY = y + pad + MAP_TEXT.nameFontPx * 0.85;
  const summaryY = nameY + 8 + MAP_TEXT.summaryFontPx;
  const label = `${node.kind === 'virtual' ? 'virtual node' : 'service'} ${node.id}: ${HEALTH_LABEL[node.health]}, ${node.summary}`;
  return (
    <g
      className={`map-node health-${node.health} kind-${node.kind}${selected ? ' selected' : ''}${highlighted ? ' highlighted' : ''}${dimmed ? ' dimmed' : ''}`}
      data-testid={`map-node-${node.id}`}
      data-health={node.health}
      data-kind={node.kind}
      data-highlighted={highlighted ? 'true' : 'false'}
      data-dimmed={dimmed ? 'true' : 'false'}
      tabIndex={0}
      role="button"
      aria-label={label}
      aria-pressed={selected}
      onClick={onSelect}
      onKeyDown={onKey}
    >
      <title>{label}</title>
      <rect x={x} y={y} width={node.width} height={node.height} rx={8} />
      <text x={x + pad} y={nameY} className="node-name map-label" style={{ fontSize: MAP_TEXT.nameFontPx }}>
        {node.kind === 'virtual' ? '◌ ' : ''}
        {node.id}
      </text>
      <text x={x + node.width - pad} y={nameY} className="node-health map-label" textAnchor="end" style={{ fontSize: MAP_TEXT.healthFontPx }}>
        {HEALTH_LABEL[node.health].toUpperCase()}
      </text>
      <text x={x + pad} y={summaryY} className="node-summary map-label" style={{ fontSize: MAP_TEXT.summaryFontPx }} data-testid="node-summary">
        {node.summary}
      </text>
      <SparklineSvg sparkline={sparkline} x={x + pad} y={summaryY + 6} width={node.width - pad * 2} height={MAP_TEXT.sparklineHeightPx} label={`requests and errors of ${node.id} over the range`} />
    </g>
  );
}

function MapEdge({ edge, sparkline, selected, highlighted, dimmed, showLabel, onSelect, onKey }: ElementProps & { edge: LaidOutEdge; showLabel: boolean; sparkline: Sparkline | undefined }) {
  const strokeWidth = Math.min(6, 1.2 + Math.log10(1 + edge.stats.requests));
  const badgeLine = edge.badges.map((b) => b.text).join('  ');
  const label = `call ${edge.source} → ${edge.target}: ${HEALTH_LABEL[edge.health]}, ${edge.label}${badgeLine ? `, ${badgeLine}` : ''}`;
  const b = edge.labelBox;
  const line = MAP_TEXT.edgeLineHeightPx;
  const [rateLine, p95Line, badgesLine] = edge.labelLines;
  return (
    <g
      className={`map-edge health-${edge.health}${selected ? ' selected' : ''}${highlighted ? ' highlighted' : ''}${dimmed ? ' dimmed' : ''}`}
      data-testid={`map-edge-${edge.source}-${edge.target}`}
      data-highlighted={highlighted ? 'true' : 'false'}
      data-dimmed={dimmed ? 'true' : 'false'}
      tabIndex={0}
      role="button"
      aria-label={label}
      aria-pressed={selected}
      onClick={onSelect}
      onKeyDown={onKey}
    >
      <title>{label}</title>
      <path d={pathFor(edge.points)} className="edge-hit" />
      <path d={pathFor(edge.points)} className="edge-line" data-testid="edge-line" strokeWidth={strokeWidth} markerEnd={`url(#arrow-${highlighted ? 'hl' : edge.health})`} />
      {showLabel && (
        <g className="edge-label" data-testid="edge-label">
          <rect x={b.x} y={b.y} width={b.width} height={b.height} rx={4} />
          <text x={b.x + 6} y={b.y + line} className="map-label" style={{ fontSize: MAP_TEXT.edgeFontPx }}>
            {rateLine}
          </text>
          {p95Line && (
            <text x={b.x + 6} y={b.y + line * 2} className="map-label" style={{ fontSize: MAP_TEXT.edgeFontPx }}>
              {p95Line}
            </text>
          )}
          <SparklineSvg sparkline={sparkline} x={b.x + b.width - 6 - MAP_TEXT.sparklineWidthPx} y={b.y + line * 2 - MAP_TEXT.sparklineHeightPx} width={MAP_TEXT.sparklineWidthPx} height={MAP_TEXT.sparklineHeightPx} label={`requests and errors of ${edge.source} → ${edge.target} over the range`} />
          {badgesLine && (
            <text x={b.x + 6} y={b.y + line * 3} className="edge-badges map-label" style={{ fontSize: MAP_TEXT.edgeFontPx }}>
              {badgesLine}
            </text>
          )}
        </g>
      )}
    </g>
  );
}
