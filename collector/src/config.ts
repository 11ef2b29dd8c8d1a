// Collector options: defaults from the contract, environment variables, validation in one place.
import { type IngestLimits, resolveIngestLimits } from './ingest/index.js';
import { defaultDashboardDir } from './packagePaths.js';

export interface CollectorOptions {
  /** HTTP port for OTLP ingest, API and dashboard; 0 picks a free one. Default 4318 (FAULTLINE_PORT). */
  port?: number;
  /** Bind address. Default 127.0.0.1 (FAULTLINE_HOST). */
  host?: string;
  /** OTLP/gRPC port; 0 disables. Default 4317 (FAULTLINE_GRPC_PORT). Use -1 for a free port (tests). */
  grpcPort?: number;
  /** SQLite file, or ':memory:'. Default ./faultline.db (FAULTLINE_DB). */
  dbPath?: string;
  /** postgres://… switches storage to PostgreSQL (FAULTLINE_DATABASE_URL). */
  databaseUrl?: string | null;
  /** PostgreSQL schema for Faultline's tables. Default 'public' (FAULTLINE_DATABASE_SCHEMA). */
  databaseSchema?: string;
  /** Bearer token required on /v1/* and /api/* when set (FAULTLINE_TOKEN). */
  token?: string | null;
  /** Spans whose trace ended longer ago are pruned; 0 keeps everything. Default 168 (FAULTLINE_RETENTION_HOURS). */
  retentionHours?: number;
  /** Built dashboard to serve at /. Default dashboard/dist of this workspace. */
  dashboardDir?: string;
  /** Demo control server URL handed to the dashboard by GET /api/config (FAULTLINE_CONTROL_URL). */
  controlUrl?: string | null;
  /** How long a caller span waits for its callee before its edge goes to the callee hint. Default 5,000 ms. */
  pendingEdgeMs?: number;
  /** Spans waiting in the write queue before ingest answers 429. Default 100,000. */
  queueSpansMax?: number;
  /** Spans written per store transaction at most. Default 8,192. */
  batchSpansMax?: number;
  /** Request bodies held in memory at once (reading, inflating, decoding). Default 64 MiB. */
  inflightBodyBytesMax?: number;
  /** Concurrent /api/stream clients. Default 32. */
  sseClientsMax?: number;
  /** SSE heartbeat interval. Default 15,000 ms. */
  sseHeartbeatMs?: number;
  /** How often SSE clients get a fresh graph when data arrives. Default 2,000 ms. */
  sseIntervalMs?: number;
  /** Write SQLite on a worker thread (file databases). Default true. */
  sqliteWriterThread?: boolean;
  /** How often retention pruning runs. Default 10,000 ms. */
  pruneIntervalMs?: number;
  /** Ingest limits; see IngestLimits. */
  limits?: Partial<IngestLimits>;
  /** Series cap of GET /metrics; past it new label sets fold into "other". Default 10,000 (FAULTLINE_METRICS_MAX_SERIES). */
  metricsMaxSeries?: number;
  /** YAML or JSON alert rules file; built-in rules when unset (FAULTLINE_ALERT_RULES). */
  alertRulesPath?: string | null;
  /** Prometheus Alertmanager base URL; alerts go to its /api/v2/alerts (FAULTLINE_ALERTMANAGER_URL). */
  alertmanagerUrl?: string | null;
  /** Plain webhook receiving { status, alerts } JSON (FAULTLINE_ALERT_WEBHOOK_URL). */
  alertWebhookUrl?: string | null;
  /** How often alert rules are evaluated. Default 5,000 ms. */
  alertEvalIntervalMs?: number;
  /** How often firing alerts are re-sent to receivers (Alertmanager expects it). Default 60,000 ms. */
  alertResendMs?: number;
  /** A transaction with no progress for this long is stuck. Default 30,000 ms (FAULTLINE_TX_STUCK_MS). */
  txStuckMs?: number;
  /** Diagnostic output. Default: console.error. */
  log?: (line: string) => void;
}

export interface ResolvedCollectorOptions {
  port: number;
  host: string;
  grpcPort: number;
  /** false when grpcPort is the default: then a busy 4317 only costs a warning, not the start. */
  grpcPortExplicit: boolean;
  dbPath: string;
  databaseUrl: string | null;
  databaseSchema: string;
  token: string | null;
  retentionHours: number;
  dashboardDir: string;
  controlUrl: string | null;
  pendingEdgeMs: number;
  queueSpansMax: number;
  batchSpansMax: number;
  inflightBodyBytesMax: number;
  sseClientsMax: number;
  sseHeartbeatMs: number;
  sseIntervalMs: number;
  sqliteWriterThread: boolean;
  pruneIntervalMs: number;
  limits: IngestLimits;
  metricsMaxSeries: number;
  alertRulesPath: string | null;
  alertmanagerUrl: string | null;
  alertWebhookUrl: string | null;
  alertEvalIntervalMs: number;
  alertResendMs: number;
  txStuckMs: number;
  log: (line: string) => void;
}

export const DEFAULT_DASHBOARD_DIR = defaultDashboardDir();

function intFrom(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw new Error(`${name} must be an integer, got "${raw}"`);
  return Number(raw);
}

function check(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

/** Options given in code win over the environment, which wins over the defaults. */
export function resolveCollectorOptions(options: CollectorOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedCollectorOptions {
  const databaseUrl = options.databaseUrl !== undefined ? options.databaseUrl : env.FAULTLINE_DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('FAULTLINE_DATABASE_URL must start with postgres:// or postgresql://');
  const controlUrl = options.controlUrl !== undefined ? options.controlUrl : env.FAULTLINE_CONTROL_URL || null;
  if (controlUrl) new URL(controlUrl); // throws a clear TypeError on garbage
  const token = options.token !== undefined ? options.token : env.FAULTLINE_TOKEN || null;
  const urlOption = (name: string, given: string | null | undefined) => {
    const value = given !== undefined ? given : env[name] || null;
    if (value && !/^https?:\/\//.test(value)) throw new Error(`${name} must be an http:// or https:// URL, got "${value}"`);
    if (value) new URL(value);
    return value ? value.replace(/\/+$/, '') : null;
  };
  return {
    port: check('port', options.port ?? intFrom('FAULTLINE_PORT', env.FAULTLINE_PORT) ?? 4318, 0, 65535),
    host: options.host ?? (env.FAULTLINE_HOST || '127.0.0.1'),
    grpcPort: check('grpcPort', options.grpcPort ?? intFrom('FAULTLINE_GRPC_PORT', env.FAULTLINE_GRPC_PORT) ?? 4317, -1, 65535),
    grpcPortExplicit: options.grpcPort !== undefined || Boolean(env.FAULTLINE_GRPC_PORT),
    dbPath: options.dbPath ?? (env.FAULTLINE_DB || './faultline.db'),
    databaseUrl,
    databaseSchema: options.databaseSchema ?? (env.FAULTLINE_DATABASE_SCHEMA || 'public'),
    token: token || null,
    retentionHours: check('retentionHours', options.retentionHours ?? intFrom('FAULTLINE_RETENTION_HOURS', env.FAULTLINE_RETENTION_HOURS) ?? 168, 0, 24 * 365 * 10),
    dashboardDir: options.dashboardDir ?? DEFAULT_DASHBOARD_DIR,
    controlUrl,
    pendingEdgeMs: check('pendingEdgeMs', options.pendingEdgeMs ?? 5_000, 0, 3_600_000),
    queueSpansMax: check('queueSpansMax', options.queueSpansMax ?? 100_000, 1, 10_000_000),
    batchSpansMax: check('batchSpansMax', options.batchSpansMax ?? 8_192, 1, 1_000_000),
    inflightBodyBytesMax: check('inflightBodyBytesMax', options.inflightBodyBytesMax ?? 64 * 1024 * 1024, 1024, 2 ** 31),
    sseClientsMax: check('sseClientsMax', options.sseClientsMax ?? 32, 0, 10_000),
    sseHeartbeatMs: check('sseHeartbeatMs', options.sseHeartbeatMs ?? 15_000, 10, 3_600_000),
    sseIntervalMs: check('sseIntervalMs', options.sseIntervalMs ?? 2_000, 10, 3_600_000),
    sqliteWriterThread: options.sqliteWriterThread ?? true,
    pruneIntervalMs: check('pruneIntervalMs', options.pruneIntervalMs ?? 10_000, 10, 86_400_000),
    limits: resolveIngestLimits(options.limits),
    metricsMaxSeries: check('FAULTLINE_METRICS_MAX_SERIES', options.metricsMaxSeries ?? intFrom('FAULTLINE_METRICS_MAX_SERIES', env.FAULTLINE_METRICS_MAX_SERIES) ?? 10_000, 500, 10_000_000),
    alertRulesPath: options.alertRulesPath !== undefined ? options.alertRulesPath : env.FAULTLINE_ALERT_RULES || null,
    alertmanagerUrl: urlOption('FAULTLINE_ALERTMANAGER_URL', options.alertmanagerUrl),
    alertWebhookUrl: urlOption('FAULTLINE_ALERT_WEBHOOK_URL', options.alertWebhookUrl),
    alertEvalIntervalMs: check('alertEvalIntervalMs', options.alertEvalIntervalMs ?? 5_000, 10, 3_600_000),
    alertResendMs: check('alertResendMs', options.alertResendMs ?? 60_000, 10, 3_600_000),
    txStuckMs: check('FAULTLINE_TX_STUCK_MS', options.txStuckMs ?? intFrom('FAULTLINE_TX_STUCK_MS', env.FAULTLINE_TX_STUCK_MS) ?? 30_000, 10, 86_400_000),
    log: options.log ?? ((line) => console.error(line)),
  };
}
