// Trace search filters as they live in the URL, and the correlation ids a trace carries.
import type { Trace } from '../api/types.js';

export interface TraceFilters {
  service: string;
  operation: string;
  status: '' | 'error' | 'ok';
  minDurationMs: number | null;
  maxDurationMs: number | null;
  correlationId: string;
  /** Exact span attribute matches, `key=value` each (the collector takes at most ATTR_FILTERS_MAX). */
  attrs: string[];
  /** `service.namespace` of one run (e.g. a `pnpm scenario` run next to the demo); '' for all. */
  namespace: string;
  limit: number;
}

export const TRACE_LIMIT_DEFAULT = 50;
export const TRACE_LIMIT_MAX = 1000;
const CORRELATION_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const ATTR_FILTERS_MAX = 8;
const ATTR_PATTERN = /^[^=\s][^=]{0,255}=.{0,1024}$/;

function durationParam(params: URLSearchParams, name: string, warnings: string[]): number | null {
  const raw = params.get(name);
  if (!raw) return null;
  const n = Number(raw);
  if (Number.isFinite(n) && n >= 0) return n;
  warnings.push(`ignored ${name}=${raw}`);
  return null;
}

export function parseTraceFilters(params: URLSearchParams): { result: TraceFilters; warnings: string[] } {
  const warnings: string[] = [];
  const statusRaw = params.get('status') ?? '';
  const status = statusRaw === 'error' || statusRaw === 'ok' ? statusRaw : '';
  if (statusRaw && !status) warnings.push(`ignored status=${statusRaw}`);
  const minDurationMs = durationParam(params, 'minDurationMs', warnings);
  const maxDurationMs = durationParam(params, 'maxDurationMs', warnings);
  // One `attr` param per filter, or several in one separated by newlines (as traceFilterParams writes them).
  const attrs = params.getAll('attr').flatMap((a) => a.split('\n')).filter((a) => a !== '').filter((a) => {
    if (ATTR_PATTERN.test(a)) return true;
    warnings.push(`ignored attr=${a}: expected key=value`);
    return false;
  });
  if (attrs.length > ATTR_FILTERS_MAX) warnings.push(`only the first ${ATTR_FILTERS_MAX} attr filters are used`);
  const corrRaw = (params.get('correlationId') ?? '').trim();
  const correlationId = CORRELATION_PATTERN.test(corrRaw) ? corrRaw : '';
  if (corrRaw && !correlationId) warnings.push('ignored correlation id: 1–128 chars of A-Z a-z 0-9 . _ : -');
  const limitRaw = Number(params.get('limit') ?? TRACE_LIMIT_DEFAULT);
  const limit = Number.isInteger(limitRaw) && limitRaw > 0 ? Math.min(limitRaw, TRACE_LIMIT_MAX) : TRACE_LIMIT_DEFAULT;
  return {
    result: { service: params.get('service') ?? '', operation: params.get('operation') ?? '', status, minDurationMs, maxDurationMs, correlationId, attrs: attrs.slice(0, ATTR_FILTERS_MAX), namespace: (params.get('namespace') ?? '').trim().slice(0, 256), limit },
    warnings,
  };
}

export function traceFilterParams(f: TraceFilters): Record<string, string | null> {
  return {
    service: f.service || null,
    operation: f.operation || null,
    status: f.status || null,
    minDurationMs: f.minDurationMs !== null ? String(f.minDurationMs) : null,
    maxDurationMs: f.maxDurationMs !== null ? String(f.maxDurationMs) : null,
    // Several attribute filters travel as one param, newline-separated (the URL helper sets single values).
    attr: f.attrs.length > 0 ? f.attrs.join('\n') : null,
    correlationId: f.correlationId || null,
    namespace: f.namespace || null,
    limit: f.limit !== TRACE_LIMIT_DEFAULT ? String(f.limit) : null,
  };
}

/** Attribute keys that may carry the correlation id, most specific first. */
export const CORRELATION_KEYS = ['faultline.correlation_id', 'correlation.id', 'correlation_id', 'http.request.header.x-correlation-id', 'x-correlation-id'] as const;

export function correlationIds(trace: Trace): string[] {
  const ids = new Set<string>();
  for (const s of trace.spans)
    for (const k of CORRELATION_KEYS) {
      const v = s.attributes[k];
      if (typeof v === 'string' && v) ids.add(v);
      else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string' && x) ids.add(x);
    }
  return [...ids];
}
