import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LIVE_SCENARIOS as SCENARIOS } from '../scenarios/catalog.js';
import type { FaultRecord } from '../scenarios/faults.js';
import { handleMigration, type MigrationControl } from './migrationRoutes.js';

export interface ControlTarget {
  /** Starts the named scenario on the running shop; throws for an unknown name. */
  start(name: string, durationMs: number): { name: string; startMs: number; durationMs: number };
  stop(): Promise<void>;
  faults(): FaultRecord[];
  active(): { name: string; startMs: number; durationMs: number } | null;
}

export interface ControlServerOptions {
  port: number;
  /** Origins allowed to call from a browser (the dashboard, served by the collector). */
  allowedOrigins: string[];
  target: ControlTarget;
  /** Scenario length when the caller does not say, ms. Default 60 000. */
  defaultDurationMs?: number;
  /** The live migration's routes (`/migration...`), in `DEMO_MODE=migration` only. */
  migration?: MigrationControl;
}

const BODY_BYTES_MAX = 4096;
const DURATION_MS_MAX = 10 * 60_000;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_BYTES_MAX) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : {};
}

/**
 * The demo's control server for the dashboard's chaos panel: list, start and
 * stop scenarios, list injected faults. Loopback only, and only in `pnpm demo`.
 */
export async function startControlServer(options: ControlServerOptions): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const allowed = new Set(options.allowedOrigins);
  const server = createServer((req, res) => {
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'content-type');
    }
    const url = new URL(req.url ?? '/', 'http://control');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const handle = async (): Promise<void> => {
      if (req.method === 'OPTIONS') {
        res.statusCode = 204;
        res.end();
        return;
      }
      if (await handleMigration(req, res, path, () => readBody(req), options.migration, send)) return;
      if (req.method === 'GET' && path === '/scenarios') {
        send(res, 200, SCENARIOS.map((s) => ({ name: s.name, description: s.description, lookAt: s.lookAt })));
        return;
      }
      if (req.method === 'GET' && path === '/scenarios/active') {
        send(res, 200, options.target.active());
        return;
      }
      if (req.method === 'GET' && path === '/faults') {
        send(res, 200, options.target.faults().map((f) => ({ service: f.service, kind: f.kind, startMs: f.startMs, ...(f.endMs !== undefined ? { endMs: f.endMs } : {}) })));
        return;
      }
      if (req.method === 'POST' && path === '/scenarios/stop') {
        await options.target.stop();
        send(res, 200, { stopped: true });
        return;
      }
      const start = /^\/scenarios\/([A-Za-z0-9-]{1,64})\/start$/.exec(path);
      if (req.method === 'POST' && start) {
        let body: unknown;
        try {
          body = await readBody(req);
        } catch (err) {
          send(res, 400, { error: `bad body: ${(err as Error).message}` });
          return;
        }
        const raw = (body as { durationMs?: unknown } | null)?.durationMs ?? url.searchParams.get('durationMs') ?? undefined;
        const durationMs = raw === undefined ? (options.defaultDurationMs ?? 60_000) : Number(raw);
        if (!Number.isInteger(durationMs) || durationMs < 1000 || durationMs > DURATION_MS_MAX) {
          send(res, 400, { error: `durationMs must be an integer between 1000 and ${DURATION_MS_MAX}` });
          return;
        }
        if (!SCENARIOS.some((s) => s.name === start[1])) {
          send(res, 404, { error: `unknown scenario ${start[1]}` });
          return;
        }
        send(res, 202, options.target.start(start[1]!, durationMs));
        return;
      }
      send(res, 404, { error: 'not found' });
    };
    handle().catch((err: unknown) => send(res, 400, { error: err instanceof Error ? err.message : String(err) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
