// Annotations (injected faults, deploys, route changes) placed on a time axis.
import type { Annotation } from '../api/types.js';
import type { TimeWindow } from './timeRange.js';

export interface PlacedAnnotation {
  annotation: Annotation;
  /** Position of the start on the window, 0..100. */
  leftPct: number;
  /** Width of the annotated interval (0 for a point in time). */
  widthPct: number;
  glyph: string;
}

const GLYPH: Record<string, string> = { fault: '✸', deploy: '⇪', 'route-change': '⇄', route: '⇄' };

export function annotationGlyph(kind: string): string {
  return GLYPH[kind] ?? GLYPH[kind.split(/[._-]/)[0] ?? ''] ?? '◆';
}

/** Annotations that touch the window, oldest first, placed as percentages of it. */
export function placeAnnotations(list: readonly Annotation[], window: TimeWindow): PlacedAnnotation[] {
  const span = Math.max(1, window.toMs - window.fromMs);
  const pct = (ms: number) => Math.max(0, Math.min(100, ((ms - window.fromMs) / span) * 100));
  return list
    .filter((a) => a.timeMs <= window.toMs && (a.endMs ?? a.timeMs) >= window.fromMs)
    .sort((a, b) => a.timeMs - b.timeMs || a.id.localeCompare(b.id))
    .map((a) => {
      const left = pct(a.timeMs);
      return { annotation: a, leftPct: left, widthPct: a.endMs != null ? Math.max(0, pct(a.endMs) - left) : 0, glyph: annotationGlyph(a.kind) };
    });
}

export function describeAnnotation(a: Annotation): string {
  return `${a.kind}${a.service ? ` · ${a.service}` : ''}: ${a.text}`;
}
