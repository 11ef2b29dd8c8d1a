import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MigrationController, MigrationStep } from '../migration/controller.js';
import { findRoute, ROUTE_SPECS } from '../services/gateway/routing.js';

/** What the control server needs to drive a live migration (the demo in `DEMO_MODE=migration`). */
export interface MigrationControl {
  controller: MigrationController;
  /** The route whose canary runs now, if any. */
  running: string | null;
  startCanary(route: string): void;
}

export type Send = (res: ServerResponse, status: number, body: unknown) => void;

/** Runs one canary at a time on the demo's controller, in the background. */
export function liveMigration(controller: MigrationController, log: (line: string) => void): MigrationControl {
  const control: MigrationControl = {
    controller,
    running: null,
    startCanary(route: string) {
      control.running = route;
      controller
        .canary(route)
        .then((done) => log(`migration: ${route} ${done ? 'now fully on the services' : 'rolled back by its canary'}`))
        .catch((err: unknown) => log(`migration: canary of ${route} stopped: ${(err as Error).message}`))
        .finally(() => {
          control.running = null;
        });
    },
  };
  return control;
}

function step(s: MigrationStep): Record<string, unknown> {
  return { route: s.route, fromWeight: s.fromWeight, toWeight: s.toWeight, atMs: s.atMs, outcome: s.outcome };
}

/**
 * The control server's `/migration` routes. Returns false when the path is not
 * one of them. Bad input answers 4xx with a message; gateway failures 502.
 */
export async function handleMigration(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: () => Promise<unknown>,
  control: MigrationControl | undefined,
  send: Send,
): Promise<boolean> {
  if (!path.startsWith('/migration')) return false;
  if (!control) {
    send(res, 404, { error: 'no migration here: start the demo with DEMO_MODE=migration' });
    return true;
  }
  const { controller } = control;
  try {
    if (req.method === 'GET' && path === '/migration') {
      send(res, 200, {
        routes: await controller.weights(),
        running: control.running,
        steps: controller.steps.map(step),
        rollbacks: controller.rollbacks,
        rollbackReasons: controller.rollbackReasons,
      });
      return true;
    }
    const m = /^\/migration\/routes\/([a-z]{1,32})(?:\/(canary|rollback))?$/.exec(path);
    if (!m) {
      send(res, 404, { error: 'not found' });
      return true;
    }
    const spec = findRoute(m[1]!);
    if (!spec) {
      send(res, 404, { error: `unknown route ${m[1]}; one of ${ROUTE_SPECS.map((r) => r.name).join(', ')}` });
      return true;
    }
    if (control.running && (m[2] === 'canary' || req.method === 'PUT')) {
      send(res, 409, { error: `the canary of ${control.running} is still running` });
      return true;
    }
    if (req.method === 'PUT' && !m[2]) {
      let parsed: unknown;
      try {
        parsed = await body();
      } catch (err) {
        send(res, 400, { error: `bad body: ${(err as Error).message}` });
        return true;
      }
      const weight = (parsed as { weight?: unknown } | null)?.weight;
      if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) {
        send(res, 400, { error: 'weight must be an integer percentage between 0 and 100' });
        return true;
      }
      send(res, 200, step(await controller.setWeight(spec.name, weight, 'set', 'set by hand')));
      return true;
    }
    if (req.method === 'POST' && m[2] === 'canary') {
      control.startCanary(spec.name);
      send(res, 202, { route: spec.prefix, stagesPct: controller.settings.stagesPct, stageMs: controller.settings.stageMs });
      return true;
    }
    if (req.method === 'POST' && m[2] === 'rollback') {
      send(res, 200, step(await controller.setWeight(spec.name, 0, 'set', 'rolled back by hand')));
      return true;
    }
    send(res, 404, { error: 'not found' });
  } catch (err) {
    send(res, 502, { error: (err as Error).message });
  }
  return true;
}
