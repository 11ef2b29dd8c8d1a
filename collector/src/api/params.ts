// Query-parameter parsing for /api/*: every malformed value is a ParamError (→ 400).
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

type Query = Record<string, unknown>;

export const DEFAULT_WINDOW_MS = 15 * 60_000;
/** Longest from..to window a query may ask for. */
export const MAX_WINDOW_MS = 31 * 24 * 3600_000;
export const TRACE_LIMIT_DEFAULT = 50;
export const TRACE_LIMIT_MAX = 1000;

function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ParamError(`${name} must be given once, as a plain value`);
  return v;
}

export function intParam(q: Query, name: string, min: number, max: number): number | undefined {
  const raw = single(q, name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d{1,16}$/.test(raw)) throw new ParamError(`${name} must be an integer`);
  const n = Number(raw);
  if (n < min || n > max) throw new ParamError(`${name} must be from ${min} to ${max}`);
  return n;
}

export function numberParam(q: Query, name: string, min: number, max: number): number | undefined {
  const raw = single(q, name);
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!/^-?[\d.eE+-]{1,32}$/.test(raw) || !Number.isFinite(n)) throw new ParamError(`${name} must be a number`);
  if (n < min || n > max) throw new ParamError(`${name} must be from ${min} to ${max}`);
  return n;
}

export function stringParam(q: Query, name: string, maxChars: number): string | undefined {
  const raw = single(q, name);
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > maxChars) throw new ParamError(`${name} must be at most ${maxChars} characters`);
  return raw;
}

export function enumParam<T extends string>(q: Query, name: string, values: readonly T[]): T | undefined {
  const raw = single(q, name);
  if (raw === undefined || raw === '') return undefined;
  if (!values.includes(raw as T)) throw new ParamError(`${name} must be one of ${values.join(', ')}`);
  return raw as T;
}

/** from/to in epoch ms; `to` defaults to now and `from` to 15 minutes before `to`. */
export function rangeParams(q: Query, nowMs = Date.now()): { fromMs: number; toMs: number } {
  const toMs = intParam(q, 'to', 0, 8.64e15) ?? nowMs;
  const fromMs = intParam(q, 'from', 0, 8.64e15) ?? Math.max(0, toMs - DEFAULT_WINDOW_MS);
  if (fromMs > toMs) throw new ParamError('from must not be after to');
  if (toMs - fromMs > MAX_WINDOW_MS) throw new ParamError(`from..to must span at most ${MAX_WINDOW_MS / 86_400_000} days`);
  return { fromMs, toMs };
}

/** A parameter that may be repeated (`?attr=a&attr=b`): every value, at most `countMax`. */
export function listParam(q: Query, name: string, countMax: number, maxChars: number): string[] {
  const v = q[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  if (list.length > countMax) throw new ParamError(`${name} may be given at most ${countMax} times`);
  return list.map((item) => {
    if (typeof item !== 'string') throw new ParamError(`${name} must be a plain value`);
    if (item.length > maxChars) throw new ParamError(`${name} must be at most ${maxChars} characters`);
    return item;
  });
}

/** `namespace`: one run (`service.namespace`); absent or empty means every run, added up. */
export function namespaceParam(q: Query): string | undefined {
  return stringParam(q, 'namespace', 256);
}
