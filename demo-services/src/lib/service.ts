import express from 'express';
import type { Express } from 'express';
import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { init, middleware, shutdown } from '@faultline/sdk';
import { SqliteOutbox } from '@faultline/sdk/messaging';
import { readConfig, type AnyServiceName, type ServiceConfig } from './config.js';
import { openDb, type Db } from './db.js';
import { errorHandler } from './http.js';
import { mountChaos } from './chaos.js';

export interface ServiceContext {
  config: ServiceConfig;
  db: Db;
  /** The service's transactional outbox (`outbox.add(db, event)` inside a transaction). */
  outbox: SqliteOutbox;
  app: Express;
  /** Counters the runner reads through `GET /__stats` (attempts, not business facts). */
  stats: Record<string, number | string | object>;
}

export interface ServiceParts {
  /** Stops timers and loops; called before the database is closed. */
  close?: () => Promise<void> | void;
}

export interface ServiceDefinition {
  name: AnyServiceName;
  schema: string;
  build(ctx: ServiceContext): Promise<ServiceParts | void> | ServiceParts | void;
}

const PARENT_POLL_MS = 1000;
const ROUTES_MAX = 64;
const ID_SEGMENT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)$/i;

function routeKey(path: string): string {
  return path
    .split('/')
    .map((seg) => (ID_SEGMENT.test(seg) ? ':id' : seg))
    .join('/')
    .slice(0, 100);
}

/**
 * The frame every shop service shares: tracing, correlation id, chaos hook
 * (only with CHAOS_ENABLED), its own database, health and stats routes, and a
 * clean shutdown on SIGTERM/SIGINT.
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const config = readConfig(definition.name);
  init({ serviceName: definition.name, scheduledDelayMs: 500 });
  if (config.dbPath !== ':memory:') mkdirSync(dirname(config.dbPath), { recursive: true });
  const db = openDb(config.dbPath, definition.schema);
  const outbox = new SqliteOutbox(db, { source: definition.name });
  outbox.ensureSchema();
  const app = express();
  app.disable('x-powered-by');
  const stats: ServiceContext['stats'] = { service: definition.name, mode: config.mode, requests: 0 };

  // Health and stats stay outside tracing and chaos: the runner polls them.
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, service: definition.name, mode: config.mode });
  });
  app.get('/__stats', (_req, res) => {
    res.json(stats);
  });
  const routes: Record<string, number> = {};
  stats.routes = routes;
  app.use((req, _res, next) => {
    stats.requests = (stats.requests as number) + 1;
    const key = `${req.method} ${routeKey(req.path)}`;
    // Bounded: ids are folded into `:id`, and unknown shapes share one bucket past the cap.
    if (key in routes || Object.keys(routes).length < ROUTES_MAX) routes[key] = (routes[key] ?? 0) + 1;
    next();
  });
  app.use(middleware());
  mountChaos(app, config.chaosEnabled);
  app.use(express.json({ limit: '64kb' }));

  const parts = (await definition.build({ config, db, outbox, app, stats })) ?? {};
  app.use(errorHandler);

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  console.log(`${definition.name} (${config.mode}) listening on http://${config.host}:${config.port}`);

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections();
    try {
      await parts.close?.();
    } catch (err) {
      console.error(`${definition.name}: error while stopping`, err);
    }
    await shutdown().catch(() => undefined);
    db.close();
    process.exit(code);
  };
  process.once('SIGTERM', () => void stop(0));
  process.once('SIGINT', () => void stop(0));

  // A supervisor that dies without stopping us would leave us orphaned.
  if (process.env.FAULTLINE_SUPERVISED === '1') {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) void stop(0);
    }, PARENT_POLL_MS).unref();
  }
}
