import type { IncomingMessage, ServerResponse } from 'node:http';
import { isConfigError } from '../errors/ConfigError.js';
import type { ChaosController } from './ChaosController.js';

type Next = (error?: unknown) => void;
const MAX_BODY_BYTES = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

function readJson(req: IncomingMessage & { body?: unknown }): Promise<unknown> {
  // An upstream express.json() already consumed the stream.
  if (req.body !== undefined) return Promise.resolve(req.body);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * Control routes for one controller, to mount under a prefix in demo mode
 * only: `GET` lists the active faults, `PUT` replaces them (a fault or an
 * array), `DELETE` clears them. For a disabled controller every route
 * answers 404, so mounting it by mistake exposes nothing. Mount it before
 * chaosMiddleware, or a 100% error fault locks the control routes out.
 * @example
 * if (demoMode) app.use('/_chaos', chaosRouter(chaos.controller));
 * app.use(chaos);
 */
export function chaosRouter(controller: ChaosController): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/' && path !== '') return next();
    if (!controller.enabled) return send(res, 404, { error: 'chaos is disabled' });
    if (req.method === 'GET') return send(res, 200, { faults: controller.active() });
    if (req.method === 'DELETE') {
      controller.clear();
      return send(res, 200, { faults: [] });
    }
    if (req.method === 'PUT' || req.method === 'POST') {
      readJson(req).then(
        (body) => {
          try {
            controller.set(body as never);
            send(res, 200, { faults: controller.active() });
          } catch (error) {
            send(res, isConfigError(error) ? 400 : 409, { error: (error as Error).message });
          }
        },
        (error: unknown) => send(res, 400, { error: (error as Error).message }),
      );
      return;
    }
    res.setHeader('allow', 'GET, PUT, POST, DELETE');
    send(res, 405, { error: 'method not allowed' });
  };
}
