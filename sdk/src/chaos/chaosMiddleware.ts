import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import { ATTR_FAULT, EVENT_FAULT_INJECTED } from '../telemetry/attributes.js';
import { ChaosController } from './ChaosController.js';
import type { ChaosControllerOptions } from './ChaosController.js';

type Next = (error?: unknown) => void;

export interface ChaosMiddlewareOptions extends ChaosControllerOptions {
  /** Use this controller instead of creating one. */
  controller?: ChaosController;
}

export type ChaosMiddleware = ((req: IncomingMessage, res: ServerResponse, next: Next) => void) & { readonly controller: ChaosController };

function pathOf(req: IncomingMessage & { originalUrl?: string }): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Injects the controller's faults into inbound requests: errors, latency,
 * dropped connections. Mount after `middleware()` so that each injection is
 * recorded on the request's span as `fault.injected`. Without
 * `enabled: true` it only calls next().
 * @example
 * const chaos = chaosMiddleware({ enabled: process.env.CHAOS_ENABLED === '1' });
 * app.use(middleware(), chaos);
 * chaos.controller.set({ kind: 'latency', ms: 2000, rate: 0.5 });
 */
export function chaosMiddleware(options: ChaosMiddlewareOptions = {}): ChaosMiddleware {
  const controller = options.controller ?? new ChaosController(options);
  const handler = (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const fault = controller.pick(pathOf(req));
    if (fault === undefined) return next();
    trace.getActiveSpan()?.addEvent(EVENT_FAULT_INJECTED, { [ATTR_FAULT]: fault.kind });
    switch (fault.kind) {
      case 'latency': {
        const timer = setTimeout(next, fault.ms);
        // A caller that gave up should not leave the handler to run later.
        res.once('close', () => clearTimeout(timer));
        return;
      }
      case 'error':
        res.statusCode = fault.status ?? 503;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ error: 'injected fault' }));
        return;
      case 'abort':
        req.socket.destroy();
        return;
    }
  };
  return Object.assign(handler, { controller });
}
