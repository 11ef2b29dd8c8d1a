// Trace waterfall rows: spans in call order (depth-first, children by start
// time), retry attempts nested under their logical call, and the SDK's
// resilience events as markers positioned on the trace's time axis.
import type { AttrValue, Span, SpanEvent } from '../api/types.js';

export type MarkerKind = 'retry' | 'timeout' | 'breaker' | 'rejected' | 'fallback' | 'idempotency' | 'fault' | 'budget' | 'exception' | 'other';

export interface Marker {
  kind: MarkerKind;
  name: string;
  timeMs: number;
  /** Position on the trace axis, 0..100. */
  offsetPct: number;
  label: string;
}

export interface WaterfallRow {
  span: Span;
  depth: number;
  /** Set when this span is one attempt of its parent's logical call (1-based). */
  attempt: number | null;
  childCount: number;
  offsetPct: number;
  widthPct: number;
  isError: boolean;
  markers: Marker[];
}

export interface Waterfall {
  rows: WaterfallRow[];
  traceStartMs: number;
  traceDurationMs: number;
  services: string[];
  errorCount: number;
}

const num = (v: AttrValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
const text = (v: AttrValue | undefined): string | null => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));

export function markerKind(name: string): MarkerKind {
  switch (name) {
    case 'retry':
      return 'retry';
    case 'timeout':
      return 'timeout';
    case 'breaker.state':
      return 'breaker';
    case 'breaker.rejected':
    case 'bulkhead.rejected':
      return 'rejected';
    case 'fallback':
      return 'fallback';
    case 'idempotency.replayed':
      return 'idempotency';
    case 'fault.injected':
      return 'fault';
    case 'retry.budget_exhausted':
      return 'budget';
    case 'exception':
      return 'exception';
    default:
      return 'other';
  }
}

export function markerLabel(event: SpanEvent): string {
  const a = event.attributes;
  switch (event.name) {
    case 'retry': {
      const attempt = num(a['faultline.attempt']);
      const delay = num(a['faultline.delay_ms']);
      const reason = text(a['faultline.reason']);
      return `retry${attempt !== null ? ` #${attempt}` : ''}${delay !== null ? ` after ${delay} ms` : ''}${reason ? ` (${reason})` : ''}`;
    }
    case 'timeout': {
      const ms = num(a['faultline.timeout_ms']);
      const scope = text(a['faultline.scope']);
      return `timeout${ms !== null ? ` ${ms} ms` : ''}${scope ? ` (${scope})` : ''}`;
    }
    case 'breaker.state':
      return `breaker ${text(a['faultline.breaker']) ?? ''} ${text(a['faultline.from']) ?? '?'} → ${text(a['faultline.to']) ?? '?'}`.replace(/\s+/g, ' ');
    case 'breaker.rejected':
      return 'short-circuited: breaker open';
    case 'bulkhead.rejected':
      return 'rejected: bulkhead full';
    case 'fallback':
      return 'fallback used';
    case 'idempotency.replayed':
      return 'idempotent replay';
    case 'fault.injected':
      return `fault injected${text(a['faultline.fault']) ? `: ${text(a['faultline.fault'])}` : ''}`;
    case 'retry.budget_exhausted':
      return 'retry budget exhausted';
    case 'exception':
      return `exception${text(a['exception.message']) ? `: ${text(a['exception.message'])}` : ''}`;
    default:
      return event.name;
  }
}

function isAttemptOf(child: Span, parent: Span): boolean {
  if (num(child.attributes['faultline.attempt']) !== null && child.kind === 'client') return true;
  return parent.kind === 'client' && child.kind === 'client' && child.service === parent.service;
}

/** Builds the rows; spans whose parent is missing become extra roots (with a warning). */
export function buildWaterfall(spans: readonly Span[]): { result: Waterfall; warnings: string[] } {
  const warnings: string[] = [];
  const byId = new Map<string, Span>();
  for (const s of spans) {
    if (byId.has(s.spanId)) warnings.push(`duplicate span ${s.spanId} ignored`);
    else byId.set(s.spanId, s);
  }
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  let orphans = 0;
  for (const s of byId.values()) {
    if (s.parentSpanId && byId.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId);
      if (list) list.push(s);
      else children.set(s.parentSpanId, [s]);
    } else {
      if (s.parentSpanId) orphans++; // includes a span naming itself as parent
      roots.push(s);
    }
  }
  if (orphans > 0) warnings.push(`${orphans} span(s) reference a parent that is not in the trace (shown at top level)`);
  const byStart = (a: Span, b: Span) => a.startMs - b.startMs || a.spanId.localeCompare(b.spanId);
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);

  let startMs = Infinity;
  let endMs = -Infinity;
  for (const s of byId.values()) {
    startMs = Math.min(startMs, s.startMs);
    endMs = Math.max(endMs, s.startMs + s.durationMs);
    for (const e of s.events) {
      startMs = Math.min(startMs, e.timeMs);
      endMs = Math.max(endMs, e.timeMs);
    }
  }
  if (!Number.isFinite(startMs)) return { result: { rows: [], traceStartMs: 0, traceDurationMs: 0, services: [], errorCount: 0 }, warnings };
  const durationMs = Math.max(endMs - startMs, 0.001);
  const pct = (t: number) => Math.min(100, Math.max(0, ((t - startMs) / durationMs) * 100));

  const rows: WaterfallRow[] = [];
  const visited = new Set<string>();
  // Iterative DFS: a 5,000-span chain must not overflow the stack.
  const stack: { span: Span; depth: number; attempt: number | null }[] = [];
  const pushChildren = (parent: Span, depth: number) => {
    const kids = children.get(parent.spanId) ?? [];
    let attemptNo = 0;
    const entries = kids.map((k) => {
      if (!isAttemptOf(k, parent)) return { span: k, depth, attempt: null };
      attemptNo += 1;
      const attempt = num(k.attributes['faultline.attempt']) ?? attemptNo;
      return { span: k, depth, attempt };
    });
    for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]!);
  };
  for (let r = roots.length - 1; r >= 0; r--) stack.push({ span: roots[r]!, depth: 0, attempt: null });
  while (stack.length > 0) {
    const { span, depth, attempt } = stack.pop()!;
    if (visited.has(span.spanId)) continue;
    visited.add(span.spanId);
    rows.push({
      span,
      depth,
      attempt,
      childCount: children.get(span.spanId)?.length ?? 0,
      offsetPct: pct(span.startMs),
      widthPct: Math.max(0, pct(span.startMs + span.durationMs) - pct(span.startMs)),
      isError: span.status === 'error',
      markers: span.events
        .map((e) => ({ kind: markerKind(e.name), name: e.name, timeMs: e.timeMs, offsetPct: pct(e.timeMs), label: markerLabel(e) }))
        .sort((a, b) => a.timeMs - b.timeMs),
    });
    pushChildren(span, depth + 1);
  }
  // Spans only reachable through a parent cycle were never visited from a root.
  const unreached = [...byId.values()].filter((s) => !visited.has(s.spanId));
  if (unreached.length > 0) warnings.push(`${unreached.length} span(s) form a parent cycle and are not shown`);

  const services = [...new Set(rows.map((r) => r.span.service))];
  return {
    result: { rows, traceStartMs: startMs, traceDurationMs: durationMs, services, errorCount: rows.filter((r) => r.isError).length },
    warnings,
  };
}

/** Rows left visible when the given spans are collapsed (their descendants hidden). */
export function visibleRows(rows: readonly WaterfallRow[], collapsed: ReadonlySet<string>): WaterfallRow[] {
  if (collapsed.size === 0) return rows.slice();
  const out: WaterfallRow[] = [];
  let hideDeeperThan = Infinity;
  for (const row of rows) {
    if (row.depth > hideDeeperThan) continue;
    hideDeeperThan = Infinity;
    out.push(row);
    if (collapsed.has(row.span.spanId) && row.childCount > 0) hideDeeperThan = row.depth;
  }
  return out;
}

/** Index of the first error row (the one to scroll to when a failing trace opens). */
export function firstErrorIndex(rows: readonly WaterfallRow[]): number {
  return rows.findIndex((r) => r.isError);
}
