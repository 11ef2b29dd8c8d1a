#!/usr/bin/env node
// `pnpm collector`: flags over environment over defaults; prints one
// `listening on http://HOST:PORT` line; stops cleanly on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startCollector } from './server.js';

const HELP = `Usage: pnpm collector [options]

Faultline collector: OTLP/HTTP + OTLP/gRPC trace ingest, query API and dashboard.

Options (each overrides its environment variable):
  --port <n>          FAULTLINE_PORT          one port for OTLP/HTTP ingest, API and dashboard (default 4318; 0 = any free port)
  --host <addr>       FAULTLINE_HOST          bind address (default 127.0.0.1; a warning is printed when public without a token)
  --grpc-port <n>     FAULTLINE_GRPC_PORT     OTLP/gRPC ingest port (default 4317; 0 disables)
  --db <path>         FAULTLINE_DB            embedded SQLite file, ':memory:' allowed (default ./faultline.db)
  --control-url <u>   FAULTLINE_CONTROL_URL   demo control server URL shown to the dashboard via GET /api/config
  --help                                      print this help

Environment only:
  FAULTLINE_DATABASE_URL     postgres://… switches storage to PostgreSQL (several collectors may share one)
  FAULTLINE_DATABASE_SCHEMA  PostgreSQL schema for Faultline's tables (default public)
  FAULTLINE_TOKEN            when set, every /v1/* and /api/* request needs Authorization: Bearer <token>
                             (/api/stream also accepts ?access_token=<token>; gRPC: 'authorization' metadata)
  FAULTLINE_RETENTION_HOURS  traces that ended longer ago are pruned; 0 keeps everything (default 168)
  FAULTLINE_METRICS_MAX_SERIES  series cap of GET /metrics; past it new label sets fold into "other" (default 10000)
  FAULTLINE_ALERT_RULES      YAML or JSON alert rules file (default: the built-in rules)
  FAULTLINE_ALERTMANAGER_URL Prometheus Alertmanager base URL; alerts are posted to its /api/v2/alerts
  FAULTLINE_ALERT_WEBHOOK_URL  webhook receiving { status, alerts } JSON
  FAULTLINE_TX_STUCK_MS      a transaction without progress this long is stuck (default 30000)

Endpoints: POST /v1/traces, GET /api/{services,graph,traces,traces/:traceId,root-causes,stream,config},
GET /api/{alerts,transactions,transactions/:id}, GET /metrics, GET /healthz, GET /readyz, and the
dashboard at /. See collector/README.md and docs/api.md.
`;

function fail(message: string): never {
  console.error(`faultline collector: ${message}`);
  console.error('Run with --help for usage.');
  process.exit(2);
}

/** A port in use: say which one and how to pick another, instead of the bare listen error. */
function explainListenError(e: unknown): string | undefined {
  const message = (e as Error)?.message ?? '';
  if (!/EADDRINUSE|EACCES/.test(message)) return undefined;
  const port = /:(\d+)\b[^:]*$/.exec(message.replace(/\]$/, ''))?.[1] ?? '?';
  const verb = /EACCES/.test(message) ? 'may not be used by this user' : 'is already in use';
  if (/gRPC/.test(message)) {
    return `port ${port} (OTLP/gRPC) ${verb}: pick another with --grpc-port <n> or FAULTLINE_GRPC_PORT=<n> (0 turns gRPC off)`;
  }
  return `port ${port} (OTLP/HTTP, API and dashboard) ${verb}: pick another with --port <n> or FAULTLINE_PORT=<n>`;
}

function intFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) fail(`--${name} must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'grpc-port': { type: 'string' },
      db: { type: 'string' },
      'control-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
} catch (e) {
  fail((e as Error).message);
}
const { values } = parsed;
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

try {
  const collector = await startCollector({
    port: intFlag('port', values.port),
    host: values.host,
    grpcPort: intFlag('grpc-port', values['grpc-port']),
    dbPath: values.db,
    controlUrl: values['control-url'],
  });
  const o = collector.options;
  const storage = o.databaseUrl ? `postgresql (schema ${o.databaseSchema})` : `sqlite ${o.dbPath}`;
  const grpc = collector.grpcPort ? `, OTLP/gRPC on ${o.host}:${collector.grpcPort}` : '';
  console.log(`faultline collector listening on ${collector.url} (OTLP/HTTP, API, dashboard${grpc}; storage: ${storage})`);

  let stoppingAtMs = 0;
  const stop = async (signal: string) => {
    // A second Ctrl-C gives up waiting; the same Ctrl-C relayed by a wrapper (pnpm, a launcher) moments later does not.
    if (stoppingAtMs) {
      if (Date.now() - stoppingAtMs > 1000) process.exit(1);
      return;
    }
    stoppingAtMs = Date.now();
    console.log(`faultline collector: ${signal} received, stopping`);
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    await collector.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (e) {
  const hint = explainListenError(e);
  if (hint) {
    console.error(`faultline collector: ${hint}`);
    process.exit(2);
  }
  fail((e as Error).message);
}
