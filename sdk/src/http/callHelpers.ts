import { isTimeoutError } from '../errors/TimeoutError.js';

export function toHeaderRecord(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  if (headers instanceof Headers || Array.isArray(headers)) {
    new Headers(headers).forEach((value, key) => {
      out[key] = value;
    });
    return out;
  }
  for (const key of Object.keys(headers)) {
    const value = (headers as Record<string, string | undefined>)[key];
    if (value !== undefined) out[key.toLowerCase()] = value;
  }
  return out;
}

export function outcomeReason(response: Response | undefined, error: unknown): string {
  if (response) return `http_${response.status}`;
  if (isTimeoutError(error)) return 'timeout';
  return 'network_error';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
