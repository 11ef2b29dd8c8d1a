import type { Request, Response, NextFunction, RequestHandler } from 'express';

/** Thrown by handlers for bad input; the error handler turns it into a 4xx with the message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Express 5 forwards rejected promises; this only narrows the handler type. */
export function route(fn: (req: Request, res: Response) => Promise<void> | void): RequestHandler {
  return (req, res, next) => {
    Promise.resolve(fn(req, res)).catch(next);
  };
}

export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof HttpError) {
    res.status(err.status).json({ error: err.message });
    return;
  }
  const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
  // body-parser errors carry a 4xx status; anything else is ours.
  if (status >= 400 && status < 500) {
    res.status(status).json({ error: err instanceof Error ? err.message : 'bad request' });
    return;
  }
  res.status(502).json({ error: err instanceof Error ? err.message : String(err) });
}

export function requireString(body: unknown, key: string, maxLength = 128): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new HttpError(400, `${key} must be a string of 1-${maxLength} characters`);
  }
  return value;
}

export function requireInt(body: unknown, key: string, min: number, max: number): number {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HttpError(400, `${key} must be an integer between ${min} and ${max}`);
  }
  return value;
}
