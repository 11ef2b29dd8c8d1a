// One service of the RCA fixture shop, in its own process, instrumented only with the
// official OpenTelemetry JS SDK and auto-instrumentation (http, express, undici): no
// Faultline code. CommonJS on purpose: the instrumentations patch modules that are
// require()d after the SDK starts, which is how most users run them.
//
// Config: JSON in $FIXTURE_SERVICE (see ShopServiceConfig in otelShop.ts).
// Protocol with the parent: prints `FIXTURE_READY <port>` once listening; SIGUSR2 toggles
// the configured fault; SIGTERM flushes the spans and exits.
'use strict';
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici');

const config = JSON.parse(process.env.FIXTURE_SERVICE || '{}');
const Exporter =
  config.protocol === 'json'
    ? require('@opentelemetry/exporter-trace-otlp-http').OTLPTraceExporter
    : require('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter;

const sdk = new NodeSDK({
  resource: resourceFromAttributes({ 'service.name': config.name, 'service.instance.id': `${config.name}-${process.pid}` }),
  spanProcessors: [new BatchSpanProcessor(new Exporter({ url: `${config.otlpUrl}/v1/traces` }), { scheduledDelayMillis: 500, maxQueueSize: 16384, maxExportBatchSize: 1024 })],
  instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation(), new UndiciInstrumentation()],
});
sdk.start();

// Required after sdk.start() so that the instrumentations patch them.
const http = require('node:http');
const net = require('node:net');
const express = config.express === 4 ? require('express4') : require('express');

const fault = config.fault || null;
let faultOn = false;
let hogTimer = null;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

process.on('SIGUSR2', () => {
  faultOn = !faultOn;
  if (fault && fault.kind === 'cpu-hog' && faultOn && fault.backgroundDuty > 0) {
    // A background hog in this process: busy for duty × 50 ms of every 50 ms.
    hogTimer = setInterval(() => busy(50 * fault.backgroundDuty), 50);
  } else if (hogTimer) {
    clearInterval(hogTimer);
    hogTimer = null;
  }
});

/** One downstream call; resolves to its HTTP status, or 0 on a connection error or timeout. */
function call(url) {
  if (config.client === 'http') {
    return new Promise((resolve) => {
      const req = http.get(url, { timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode || 0));
        res.on('error', () => resolve(0));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(0));
    });
  }
  return fetch(url, { signal: AbortSignal.timeout(5000) }).then(
    async (res) => {
      await res.arrayBuffer();
      return res.status;
    },
    () => 0,
  );
}

const app = express();
app.get('/api/:item', async (req, res) => {
  try {
    if (faultOn && fault.kind === 'error') {
      res.status(500).json({ error: `${config.name} failed (injected)` });
      return;
    }
    if (faultOn && fault.kind === 'cpu-hog' && fault.hogMs > 0) busy(fault.hogMs);
    if (faultOn && fault.kind === 'delay') await sleep(fault.delayMs);
    await sleep(config.workMs[0] + Math.random() * (config.workMs[1] - config.workMs[0]));
    let failed = false;
    for (const c of config.calls) {
      const status = await call(`${c.url}/api/${encodeURIComponent(req.params.item)}`);
      if (status === 0 || status >= 500) failed = true;
    }
    if (failed) res.status(502).json({ error: 'bad gateway' });
    else res.json({ ok: true, service: config.name });
  } catch (e) {
    if (!res.headersSent) res.status(500).json({ error: String(e) });
  }
});

/**
 * A network-like delay on the hop into this service: a TCP relay in front of the HTTP
 * server holds each inbound chunk for delayMs while the fault is on, so the caller's
 * CLIENT span grows and this service's SERVER span does not.
 */
function relay(targetPort) {
  return net.createServer((inbound) => {
    const outbound = net.connect(targetPort, '127.0.0.1');
    inbound.on('data', (chunk) => {
      if (faultOn) setTimeout(() => outbound.write(chunk), fault.delayMs);
      else outbound.write(chunk);
    });
    outbound.pipe(inbound);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', close).on('close', close);
    outbound.on('error', close).on('close', close);
  });
}

const server = http.createServer(app);
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => {
  const appPort = server.address().port;
  if (fault && fault.kind === 'hop-delay') {
    const front = relay(appPort);
    front.listen(0, '127.0.0.1', () => console.log(`FIXTURE_READY ${front.address().port}`));
  } else console.log(`FIXTURE_READY ${appPort}`);
});

// Never outlive the parent (a test killed by its timeout cannot stop us by PID any more).
const parentPid = process.ppid;
setInterval(() => {
  try {
    process.kill(parentPid, 0);
  } catch {
    process.kill(process.pid, 'SIGTERM');
  }
}, 1000).unref();

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections?.();
  const hardExit = setTimeout(() => process.exit(1), 10_000);
  sdk.shutdown().then(
    () => {
      clearTimeout(hardExit);
      process.exit(0);
    },
    () => process.exit(1),
  );
});
