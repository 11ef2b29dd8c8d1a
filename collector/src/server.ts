// Wiring only: options → store → queue → HTTP (ingest, API, stream, dashboard) + gRPC,
// plus the background jobs (pending-edge resolution, retention pruning).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { AlertEngine } from './alerts/AlertEngine.js';
import { ConsistencyViolations } from './alerts/ConsistencyViolations.js';
import { Notifier, type AlertReceiver } from './alerts/Notifier.js';
import { AlertmanagerReceiver, WebhookReceiver } from './alerts/receivers.js';
import { loadAlertRules } from './alerts/rules.js';
import { alertsRouter } from './api/alerts.js';
import { eventsRouter } from './api/eventsRouter.js';
import { apiErrors, queryRouter } from './api/queryRouter.js';
import { transactionsRouter } from './api/transactions.js';
import { bearerAuth } from './api/auth.js';
import { ByteBudget } from './api/ByteBudget.js';
import { dashboardRouter } from './api/dashboard.js';
import { metricsRouter } from './api/metrics.js';
import { startGrpcServer } from './api/grpc.js';
import { otlpHttpRouter, RPC } from './api/otlpHttp.js';
import { StreamHub } from './api/stream.js';
import { type CollectorOptions, resolveCollectorOptions, type ResolvedCollectorOptions } from './config.js';
import { BreakerStates } from './metrics/BreakerStates.js';
import { IngestCounters } from './metrics/IngestCounters.js';
import { MetricsRegistry } from './metrics/MetricsRegistry.js';
import { WriteQueue } from './queue/WriteQueue.js';
import { TransactionService } from './transactions/TransactionService.js';
import { openStore, type TraceStore } from './store/index.js';

export interface RunningCollector {
  /** http://HOST:PORT of the HTTP listener (OTLP/HTTP, API, dashboard). */
  url: string;
  port: number;
  /** Bound OTLP/gRPC port, or null when disabled. */
  grpcPort: number | null;
  options: ResolvedCollectorOptions;
  store: TraceStore;
  /** Stops listening, lets queued writes commit, closes storage. Idempotent. */
  close(): Promise<void>;
}

/**
 * Retention: every pruneIntervalMs (10 s), delete expired traces in transactions of
 * PRUNE_BATCH_TRACES, for at most PRUNE_ROUND_MS, pausing between transactions so that
 * ingest keeps flowing. Up to ~30% of the writer's time goes to pruning when behind.
 */
const PRUNE_BATCH_TRACES = 2000;
const PRUNE_ROUND_MS = 3_000;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export async function startCollector(input: CollectorOptions = {}): Promise<RunningCollector> {
  const options = resolveCollectorOptions(input);
  const { log } = options;
  // A bad rules file stops the start with a message naming the file, rule and field.
  const alertRules = loadAlertRules(options.alertRulesPath);
  const store = await openStore({
    databaseUrl: options.databaseUrl,
    databaseSchema: options.databaseSchema,
    dbPath: options.dbPath,
    pendingEdgeMs: options.pendingEdgeMs,
    sqliteWriterThread: options.sqliteWriterThread,
    log,
  });

  let transactions: TransactionService;
  try {
    transactions = await TransactionService.open({ ...options, stuckMs: options.txStuckMs });
  } catch (e) {
    await store.close();
    throw e;
  }

  let hub: StreamHub | null = null;
  const counters = new IngestCounters();
  const breakers = new BreakerStates();
  const violations = new ConsistencyViolations();
  let trackerFailureLogged = false;
  const queue = new WriteQueue(store, {
    queueSpansMax: options.queueSpansMax,
    batchSpansMax: options.batchSpansMax,
    concurrentBatches: store.backend === 'postgres' ? 2 : 1,
    onCommit: (count, spans, seconds) => {
      hub?.markDirty();
      counters.observeWrite(seconds, count);
      // The spans are committed whatever the trackers make of them: a tracker bug is logged, never a failed write.
      try {
        breakers.observe(spans);
        violations.observe(spans);
        transactions.observe(spans);
      } catch (e) {
        if (!trackerFailureLogged) log(`faultline collector: ingest-side tracking failed (further failures not logged): ${(e as Error)?.message ?? e}`);
        trackerFailureLogged = true;
      }
    },
    onError: (e) => log(`faultline collector: storing spans failed (answering 503 until it recovers): ${(e as Error)?.message ?? e}`),
  });
  const metrics = new MetricsRegistry({ store, ingest: counters, breakers, queueDepthSpans: () => queue.depthSpans, transactions: () => transactions.tracker.counts(), maxSeries: options.metricsMaxSeries });
  let collectorUrl = '';
  const receivers: AlertReceiver[] = [];
  if (options.alertmanagerUrl) receivers.push(new AlertmanagerReceiver(options.alertmanagerUrl, options.alertResendMs));
  if (options.alertWebhookUrl) receivers.push(new WebhookReceiver(options.alertWebhookUrl));
  const notifier = new Notifier(receivers, { log, onRecovered: () => alerts.currentForResend() });
  const alerts: AlertEngine = new AlertEngine({
    store,
    rules: alertRules,
    notifier,
    breakers: () => breakers.list(),
    stuck: () => transactions.tracker.stuck(),
    violations: (nowMs) => violations.recent(nowMs),
    dashboardUrl: () => collectorUrl,
    evalIntervalMs: options.alertEvalIntervalMs,
    resendMs: options.alertResendMs,
    log,
  });
  hub = new StreamHub(store, { clientsMax: options.sseClientsMax, heartbeatMs: options.sseHeartbeatMs, intervalMs: options.sseIntervalMs, log });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await store.checkWritable();
      res.json({ status: 'ready', storage: store.backend });
    } catch (e) {
      res.status(503).json({ status: 'unavailable', error: (e as Error).message });
    }
  });

  app.use('/v1', bearerAuth(options.token, { body: (message) => ({ code: RPC.UNAUTHENTICATED, message }) }));
  app.use('/api', bearerAuth(options.token, { body: (error) => ({ error }), queryTokenPaths: ['/stream'] }));
  app.use('/metrics', bearerAuth(options.token, { body: (error) => ({ error }) }));
  app.use(metricsRouter(metrics, log));
  app.use(otlpHttpRouter({ queue, limits: options.limits, budget: new ByteBudget(options.inflightBodyBytesMax), log, counters }));
  app.get('/api/stream', hub.handle);
  app.use(queryRouter({ store, controlUrl: options.controlUrl, log }));
  app.use(eventsRouter({ store, onAnnotation: (a) => hub?.announce(a) }));
  app.use(alertsRouter(alerts.state));
  app.use(transactionsRouter(transactions.tracker));
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'no such endpoint' });
  });
  app.use('/api', apiErrors(log));
  app.use(dashboardRouter(options.dashboardDir));
  // Anything express itself rejects (e.g. a malformed URI) is the client's fault.
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (res.headersSent) return void res.end();
    const status = (err as { status?: number })?.status;
    res.status(typeof status === 'number' && status >= 400 && status < 500 ? status : 400).json({ error: 'bad request' });
  });

  const server: Server = app.listen(options.port, options.host);
  try {
    await once(server, 'listening');
  } catch (e) {
    hub.close();
    await transactions.close();
    await store.close();
    throw e;
  }
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  collectorUrl = `http://${hostForUrl}:${address.port}`;

  let grpcServer: Awaited<ReturnType<typeof startGrpcServer>> | null = null;
  if (options.grpcPort !== 0) {
    try {
      grpcServer = await startGrpcServer(options.host, Math.max(0, options.grpcPort), { queue, limits: options.limits, token: options.token, log, counters });
    } catch (e) {
      const message = `OTLP/gRPC could not listen on ${options.host}:${options.grpcPort}: ${(e as Error).message}`;
      if (options.grpcPortExplicit) {
        server.close();
        hub.close();
        await transactions.close();
        await store.close();
        throw new Error(message);
      }
      // The default port may be taken (another collector, a test run): HTTP ingest still works.
      log(`faultline collector: WARNING: ${message}; continuing without OTLP/gRPC (set --grpc-port to choose a port, 0 to disable)`);
    }
  }

  if (!options.token && !isLoopback(options.host)) {
    log(`faultline collector: WARNING: listening on ${options.host} without FAULTLINE_TOKEN: anyone who can reach this port can read and write traces`);
  }

  alerts.start();

  // Background jobs, one at a time each, never overlapping with themselves.
  let stopping = false;
  let pendingBusy = false;
  let pendingFailed = false;
  const pendingTimer = setInterval(async () => {
    if (pendingBusy || stopping) return;
    pendingBusy = true;
    try {
      if ((await store.resolvePendingEdges()) > 0) hub?.markDirty();
      pendingFailed = false;
    } catch (e) {
      if (!pendingFailed) log(`faultline collector: resolving pending edges failed: ${(e as Error)?.message ?? e}`);
      pendingFailed = true;
    } finally {
      pendingBusy = false;
    }
  }, Math.max(50, Math.min(1000, Math.floor(options.pendingEdgeMs / 2))));
  pendingTimer.unref();

  let pruneBusy = false;
  const prune = async () => {
    if (pruneBusy || stopping || options.retentionHours === 0) return;
    pruneBusy = true;
    try {
      const cutoffMs = Date.now() - options.retentionHours * 3600_000;
      const roundEndMs = Date.now() + PRUNE_ROUND_MS;
      while (!stopping && Date.now() < roundEndMs) {
        if ((await store.prune(cutoffMs, PRUNE_BATCH_TRACES)) < PRUNE_BATCH_TRACES) break;
        await new Promise((r) => setTimeout(r, 10)); // let ingest in between batches
      }
    } catch (e) {
      log(`faultline collector: retention pruning failed: ${(e as Error)?.message ?? e}`);
    } finally {
      pruneBusy = false;
    }
  };
  const pruneTimer = setInterval(prune, options.pruneIntervalMs);
  pruneTimer.unref();
  setTimeout(prune, Math.min(1000, options.pruneIntervalMs)).unref();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      stopping = true;
      alerts.stop();
      clearInterval(pendingTimer);
      clearInterval(pruneTimer);
      hub?.close();
      const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const forceTimer = setTimeout(() => server.closeAllConnections(), 3000);
      await Promise.all([httpClosed, grpcServer?.close()]);
      clearTimeout(forceTimer);
      await queue.close();
      while (pendingBusy || pruneBusy) await new Promise((r) => setTimeout(r, 10));
      await transactions.close();
      await store.close();
    })());

  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    grpcPort: grpcServer?.port ?? null,
    options,
    store,
    close,
  };
}
