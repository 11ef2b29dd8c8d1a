// Geometry of the rendered service map, read from the page: label sizes on screen, label
// boxes (getBoundingClientRect) and points sampled along every edge path.
import type { Page } from '@playwright/test';

export const MIN_LABEL_PX = 11;
/** Distance between samples along an edge path, in screen px. */
const EDGE_SAMPLE_STEP_PX = 3;

export interface Measured {
  labels: { id: string; fontPx: number; box: { x: number; y: number; w: number; h: number } }[];
  edgePoints: { edge: string; x: number; y: number }[];
  map: { x: number; y: number; w: number; h: number };
  offscreenNodes: string[];
}

export async function measure(page: Page, stepPx = EDGE_SAMPLE_STEP_PX): Promise<Measured> {
  return page.evaluate((step) => {
    const svg = document.querySelector('[data-testid="service-map"]') as SVGSVGElement;
    const mr = svg.getBoundingClientRect();
    const box = (r: DOMRect) => ({ x: r.left, y: r.top, w: r.width, h: r.height });
    const labels: Measured['labels'] = [];
    for (const node of document.querySelectorAll('[data-testid^="map-node-"]')) {
      for (const t of node.querySelectorAll<SVGTextElement>('text')) {
        labels.push({ id: `${node.getAttribute('data-testid')} ${t.getAttribute('class')}`, fontPx: parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM()?.a ?? 1), box: box(t.getBoundingClientRect()) });
      }
    }
    for (const label of document.querySelectorAll('[data-testid="edge-label"]')) {
      const owner = label.closest('[data-testid^="map-edge-"]')!.getAttribute('data-testid')!;
      // The label's box is its background rect; its texts must be legible too.
      labels.push({ id: `${owner} label`, fontPx: Infinity, box: box(label.querySelector('rect')!.getBoundingClientRect()) });
      for (const t of label.querySelectorAll<SVGTextElement>('text')) {
        const fontPx = parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM()?.a ?? 1);
        labels.push({ id: `${owner} text`, fontPx, box: { x: 0, y: 0, w: 0, h: 0 } });
      }
    }
    const edgePoints: Measured['edgePoints'] = [];
    for (const path of document.querySelectorAll<SVGPathElement>('[data-testid="edge-line"]')) {
      const owner = path.closest('[data-testid^="map-edge-"]')!.getAttribute('data-testid')!;
      const ctm = path.getScreenCTM()!;
      const len = path.getTotalLength();
      const n = Math.max(2, Math.ceil((len * ctm.a) / step));
      for (let i = 0; i <= n; i++) {
        const p = path.getPointAtLength((len * i) / n);
        edgePoints.push({ edge: owner, x: ctm.a * p.x + ctm.c * p.y + ctm.e, y: ctm.b * p.x + ctm.d * p.y + ctm.f });
      }
    }
    const offscreenNodes = [...document.querySelectorAll('[data-testid^="map-node-"] rect')]
      .filter((r) => {
        const b = r.getBoundingClientRect();
        return b.left < mr.left || b.top < mr.top || b.right > mr.right || b.bottom > mr.bottom;
      })
      .map((r) => r.parentElement!.getAttribute('data-testid')!);
    return { labels, edgePoints, map: box(mr), offscreenNodes };
  }, stepPx);
}

export const overlap = (a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }, tolPx = 0.5) =>
  a.x + tolPx < b.x + b.w && b.x + tolPx < a.x + a.w && a.y + tolPx < b.y + b.h && b.y + tolPx < a.y + a.h;
export const inside = (p: { x: number; y: number }, b: { x: number; y: number; w: number; h: number }, tolPx = 0.5) => p.x > b.x + tolPx && p.x < b.x + b.w - tolPx && p.y > b.y + tolPx && p.y < b.y + b.h - tolPx;


/** Labels under MIN_LABEL_PX, labels over labels, and edges through labels, as readable lines. */
export function legibilityProblems(m: Measured): { small: string[]; clashes: string[] } {
  const small = m.labels.filter((l) => l.fontPx < MIN_LABEL_PX).map((l) => `${l.id}: ${l.fontPx.toFixed(1)} px`);
  const boxes = m.labels.filter((l) => l.box.w > 0);
  const clashes: string[] = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) if (overlap(boxes[i]!.box, boxes[j]!.box)) clashes.push(`${boxes[i]!.id} × ${boxes[j]!.id}`);
  for (const b of boxes) {
    const hit = m.edgePoints.find((p) => inside(p, b.box));
    if (hit) clashes.push(`${hit.edge} line × ${b.id}`);
  }
  return { small, clashes };
}
