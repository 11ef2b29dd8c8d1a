// Hash routing: `#/traces/abc?range=1h&status=error`. Hash URLs keep deep links
// working from a static file server without any SPA fallback.

export type Route =
  | { page: 'map' }
  | { page: 'incidents' }
  | { page: 'traces' }
  | { page: 'trace'; traceId: string }
  | { page: 'service'; service: string }
  | { page: 'chaos' }
  | { page: 'transactions' }
  | { page: 'not-found'; path: string };

export interface Location {
  route: Route;
  params: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = raw.indexOf('?');
  const path = (q >= 0 ? raw.slice(0, q) : raw) || '/';
  const params = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  return { route: matchPath(path), params };
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function matchPath(path: string): Route {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'map')) return { page: 'map' };
  if (parts.length === 1 && parts[0] === 'incidents') return { page: 'incidents' };
  if (parts.length === 1 && parts[0] === 'traces') return { page: 'traces' };
  if (parts.length === 1 && parts[0] === 'chaos') return { page: 'chaos' };
  if (parts.length === 1 && parts[0] === 'transactions') return { page: 'transactions' };
  if (parts.length === 2 && parts[0] === 'traces') {
    const traceId = decode(parts[1]!);
    if (traceId) return { page: 'trace', traceId };
  }
  if (parts.length === 2 && parts[0] === 'services') {
    const service = decode(parts[1]!);
    if (service) return { page: 'service', service };
  }
  return { page: 'not-found', path };
}

export function routePath(route: Route): string {
  switch (route.page) {
    case 'map':
      return '/';
    case 'incidents':
      return '/incidents';
    case 'traces':
      return '/traces';
    case 'trace':
      return `/traces/${encodeURIComponent(route.traceId)}`;
    case 'service':
      return `/services/${encodeURIComponent(route.service)}`;
    case 'chaos':
      return '/chaos';
    case 'transactions':
      return '/transactions';
    case 'not-found':
      return route.path;
  }
}

/** Params that carry across pages (the time range and the run); page-specific ones stay behind. */
export const SHARED_PARAMS = ['range', 'from', 'to', 'refresh', 'run'] as const;

export function buildHash(route: Route, params: URLSearchParams | Record<string, string | undefined | null>): string {
  const p = params instanceof URLSearchParams ? new URLSearchParams(params) : new URLSearchParams();
  if (!(params instanceof URLSearchParams)) {
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  }
  const q = p.toString();
  return `#${routePath(route)}${q ? `?${q}` : ''}`;
}

/** A link to another page keeping the shared params, plus `extra` (null/'' removes a key). */
export function linkTo(route: Route, current: URLSearchParams, extra: Record<string, string | null | undefined> = {}): string {
  const p = new URLSearchParams();
  for (const k of SHARED_PARAMS) {
    const v = current.get(k);
    if (v !== null) p.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === null || v === undefined || v === '') p.delete(k);
    else p.set(k, v);
  }
  return buildHash(route, p);
}

/** The same page with some params changed (null/'' removes a key). */
export function withParams(current: URLSearchParams, changes: Record<string, string | null | undefined>): URLSearchParams {
  const p = new URLSearchParams(current);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') p.delete(k);
    else p.set(k, v);
  }
  return p;
}
