import { ConfigError } from '../errors/ConfigError.js';

interface FaultBase {
  /** Fraction of matching requests affected, in [0, 1]. Default 1. */
  rate?: number;
  /** Only requests whose path starts with this are affected. Default: all. */
  path?: string;
  /** The fault clears itself this long after being set, ms. Default: until cleared. */
  durationMs?: number;
}

/** Answer with `status` (default 503) instead of running the handler. */
export interface ErrorFault extends FaultBase {
  kind: 'error';
  status?: number;
}
/** Delay the request by `ms` before running the handler. */
export interface LatencyFault extends FaultBase {
  kind: 'latency';
  ms: number;
}
/** Drop the connection without an answer. */
export interface AbortFault extends FaultBase {
  kind: 'abort';
}

export type Fault = ErrorFault | LatencyFault | AbortFault;

const MAX_LATENCY_MS = 10 * 60 * 1000;

/** Validates a fault coming from code or from the control route; throws ConfigError naming the field. */
export function validateFault(input: unknown): Fault {
  if (typeof input !== 'object' || input === null) throw new ConfigError('fault', 'must be an object');
  const f = input as Record<string, unknown>;
  const rate = f.rate ?? 1;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new ConfigError('fault.rate', 'must be a number in [0, 1]');
  if (f.path !== undefined && (typeof f.path !== 'string' || !f.path.startsWith('/') || f.path.length > 512)) {
    throw new ConfigError('fault.path', "must be a path starting with '/'");
  }
  if (f.durationMs !== undefined && (!Number.isInteger(f.durationMs) || (f.durationMs as number) <= 0)) {
    throw new ConfigError('fault.durationMs', 'must be a positive integer');
  }
  const base = { rate, ...(f.path !== undefined ? { path: f.path as string } : {}), ...(f.durationMs !== undefined ? { durationMs: f.durationMs as number } : {}) };
  switch (f.kind) {
    case 'error': {
      const status = f.status ?? 503;
      if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599) throw new ConfigError('fault.status', 'must be an HTTP status in [400, 599]');
      return { kind: 'error', status: status as number, ...base };
    }
    case 'latency': {
      if (!Number.isInteger(f.ms) || (f.ms as number) < 0 || (f.ms as number) > MAX_LATENCY_MS) {
        throw new ConfigError('fault.ms', `must be an integer in [0, ${MAX_LATENCY_MS}]`);
      }
      return { kind: 'latency', ms: f.ms as number, ...base };
    }
    case 'abort':
      return { kind: 'abort', ...base };
    default:
      throw new ConfigError('fault.kind', "must be 'error', 'latency' or 'abort'");
  }
}
