import type { Express } from 'express';
import { chaosMiddleware, chaosRouter, type Fault } from '@faultline/sdk';

export type { Fault };

/**
 * The chaos hook: the SDK's chaos middleware, inert unless CHAOS_ENABLED, and
 * its control routes at `/__chaos` (PUT a fault, DELETE to clear), which the
 * SDK answers with 404 for a disabled controller. Every injection is recorded
 * on the request's span as a `fault.injected` event.
 */
export function mountChaos(app: Express, enabled: boolean): void {
  const chaos = chaosMiddleware({ enabled });
  // Control routes before the middleware, so a 100% error fault cannot lock them out.
  if (enabled) app.use('/__chaos', chaosRouter(chaos.controller));
  app.use(chaos);
}
