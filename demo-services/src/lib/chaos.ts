import express from 'express';
import type { Express } from 'express';

export type Fault =
  | { kind: 'error'; status: number; rate: number }
  | { kind: 'latency'; ms: number; rate: number }
  | { kind: 'abort'; rate: number };

export function parseFault(body: unknown): Fault {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const rate = typeof b.rate === 'number' && b.rate >= 0 && b.rate <= 1 ? b.rate : 1;
  if (b.kind === 'error') {
    const status = typeof b.status === 'number' && b.status >= 400 && b.status <= 599 ? b.status : 503;
    return { kind: 'error', status, rate };
  }
  if (b.kind === 'latency') {
    if (typeof b.ms !== 'number' || b.ms < 0 || b.ms > 120_000) throw new Error('latency fault needs ms in 0..120000');
    return { kind: 'latency', ms: b.ms, rate };
  }
  if (b.kind === 'abort') return { kind: 'abort', rate };
  throw new Error('fault kind must be error, latency or abort');
}

// TODO(sdk chaos): replace with the SDK's chaosMiddleware + ChaosController once they land.
let current: Fault | undefined;

/**
 * The chaos hook: inert, with no control route, unless CHAOS_ENABLED. The
 * scenario runner sets one fault at a time through `PUT /__chaos`.
 */
export function mountChaos(app: Express, enabled: boolean): void {
  if (!enabled) return;
  app.put('/__chaos', express.json({ limit: '4kb' }), (req, res) => {
    try {
      current = parseFault(req.body);
      res.json({ active: current });
    } catch (err) {
      res.status(400).json({ error: (err as Error).message });
    }
  });
  app.delete('/__chaos', (_req, res) => {
    current = undefined;
    res.json({ active: null });
  });
  app.use((req, res, next) => {
    const fault = current;
    if (!fault || Math.random() >= fault.rate) return next();
    if (fault.kind === 'latency') {
      setTimeout(next, fault.ms);
      return;
    }
    if (fault.kind === 'error') {
      res.status(fault.status).json({ error: 'injected fault' });
      return;
    }
    req.socket.destroy();
  });
}
