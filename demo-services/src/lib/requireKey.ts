import type { RequestHandler } from 'express';

const KEY = /^[\x21-\x7e]{1,255}$/;

// TODO(sdk idempotency): replace with the SDK's idempotency({ store, required: true }) once it lands.
// Payments is idempotent in its own database (one capture per order), so this
// stand-in only enforces that callers send a well-formed key.
export function requireIdempotencyKey(): RequestHandler {
  return (req, res, next) => {
    const key = req.get('idempotency-key');
    if (key === undefined || !KEY.test(key)) {
      res.status(400).json({ error: 'Idempotency-Key header required (1-255 visible ASCII characters)' });
      return;
    }
    next();
  };
}
