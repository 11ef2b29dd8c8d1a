// Bearer-token check for /v1/* and /api/*. Both sides are hashed first so the comparison
// is constant-time whatever the given token's length; the token itself is never logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

export function bearerFrom(header: string | undefined): string | undefined {
  const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

export interface AuthOptions {
  /** Paths (relative to the mount point) that also accept `?access_token=` (RFC 6750 §2.3): EventSource cannot send headers. */
  queryTokenPaths?: readonly string[];
  /** Shape of the 401 body. */
  body: (message: string) => object;
}

export function bearerAuth(token: string | null, options: AuthOptions): RequestHandler {
  return (req, res, next) => {
    if (!token) return next();
    let given = bearerFrom(req.headers.authorization);
    if (given === undefined && options.queryTokenPaths?.includes(req.path)) {
      const q = req.query.access_token;
      if (typeof q === 'string') given = q;
    }
    if (tokenMatches(token, given)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer realm="faultline"').json(options.body('missing or invalid bearer token'));
  };
}
