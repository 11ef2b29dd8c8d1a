// The packages as a user gets them: both tarballs installed with npm into an empty project,
// the README quick start run with plain `node` (ESM and CommonJS, express 4 and 5) exporting to
// a `faultline-collector` started from the collector tarball's bin; then the same app under
// @opentelemetry/sdk-node with auto-instrumentation, where Faultline attaches to that setup.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDir, collectedTrace, freePort, quickStart, startProc, waitForOutput, writeApp } from './packed/apps.js';
import type { CollectedSpan, Proc } from './packed/apps.js';
import { binOf, packAndInstall } from './packed/install.js';
import type { PackedProject } from './packed/install.js';

let project: PackedProject;
let collector: Proc;
let collectorUrl: string;
let payments: Server;
let paymentsUrl: string;
let dataDir: string;

beforeAll(async () => {
  project = packAndInstall();
  dataDir = mkdtempSync(join(tmpdir(), 'faultline-packed-'));
  collector = startProc(binOf(project, 'faultline-collector'), ['--port', '0', '--grpc-port', '0', '--db', join(dataDir, 'c.db')], project.dir, {});
  const m = await waitForOutput(collector, /listening on (http:\/\/[\d.]+:\d+)/, 30_000);
  collectorUrl = m[1]!;
  payments = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => payments.listen(0, '127.0.0.1', r));
  paymentsUrl = `http://127.0.0.1:${(payments.address() as AddressInfo).port}`;
}, 900_000);

afterAll(async () => {
  await collector?.stop();
  payments?.closeAllConnections();
  await new Promise((r) => payments?.close(r));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Starts an app file of the temp project, calls /orders/1 with `correlationId`, returns its answer. */
async function runApp(file: string, correlationId: string, nodeArgs: string[] = [], env: Record<string, string> = {}): Promise<unknown> {
  const port = await freePort();
  const app = startProc(process.execPath, [...nodeArgs, file], project.dir, {
    PORT: String(port),
    PAYMENTS_URL: paymentsUrl,
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
    ...env,
  });
  try {
    let body: unknown;
    for (let i = 0; i < 150 && body === undefined; i++) {
      if (app.child.exitCode !== null) throw new Error(`app exited:\n${app.output()}`);
      try {
        body = await (await fetch(`http://127.0.0.1:${port}/orders/1`, { headers: { 'x-correlation-id': correlationId } })).json();
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return body;
  } finally {
    // SIGTERM: the batch processor has the spans already (exported within its 1 s delay).
    await new Promise((r) => setTimeout(r, 1500));
    await app.stop();
  }
}

/** The express version an app in appDir(express) loads. */
function expressVersion(express: 4 | 5): string {
  const dir = appDir(project.dir, express);
  return execFileSync(process.execPath, ['-p', "require('express/package.json').version"], { cwd: dir, encoding: 'utf8' }).trim();
}

const clientSpans = (spans: CollectedSpan[]) => spans.filter((s) => s.kind === 'client');

describe.each([
  ['esm', 5],
  ['esm', 4],
  ['cjs', 5],
  ['cjs', 4],
] as const)('the README quick start as %s on express %i, from the tarball with plain node', (flavour, express) => {
  it('answers, and its SERVER and CLIENT spans reach the packed collector', async () => {
    const file = writeApp(appDir(project.dir, express), `quickstart.${flavour === 'esm' ? 'mjs' : 'cjs'}`, quickStart(flavour));
    const id = `packed-${flavour}-${express}`;
    expect(await runApp(file, id)).toEqual({ payments: 200, correlationId: id });
    expect(expressVersion(express)).toMatch(new RegExp(`^${express}\\.`));
    const spans = await collectedTrace(collectorUrl, id, (s) => s.length >= 2);
    const server = spans.find((s) => s.kind === 'server');
    expect(server).toMatchObject({ service: 'orders', attributes: { 'faultline.correlation_id': id, 'http.route': '/orders/:id' } });
    const client = clientSpans(spans);
    expect(client).toHaveLength(1);
    expect(client[0]).toMatchObject({ service: 'orders', name: 'GET payments', parentSpanId: server!.spanId, attributes: { 'peer.service': 'payments', 'service.peer.name': 'payments' } });
  });
});

const OTEL_CJS = `const { NodeSDK } = require('@opentelemetry/sdk-node');
const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');
new NodeSDK({ instrumentations: [getNodeAutoInstrumentations()] }).start();
`;
const OTEL_MJS = `import { register } from 'node:module';
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const { NodeSDK } = await import('@opentelemetry/sdk-node');
const { getNodeAutoInstrumentations } = await import('@opentelemetry/auto-instrumentations-node');
new NodeSDK({ instrumentations: [getNodeAutoInstrumentations()] }).start();
`;

describe.each([
  ['cjs', 5, ['--require', './otel.cjs']],
  ['cjs', 4, ['--require', './otel.cjs']],
  ['esm', 5, ['--import', './otel.mjs']],
  ['esm', 4, ['--import', './otel.mjs']],
] as const)('the quick start as %s on express %i under sdk-node + auto-instrumentation', (flavour, express, nodeArgs) => {
  it('keeps the app\'s own spans, adds Faultline\'s, and has one CLIENT span per call', async () => {
    writeFileSync(join(project.dir, 'otel.cjs'), OTEL_CJS);
    writeFileSync(join(project.dir, 'otel.mjs'), OTEL_MJS);
    const file = writeApp(appDir(project.dir, express), `attached.${flavour === 'esm' ? 'mjs' : 'cjs'}`, quickStart(flavour));
    const id = `attached-${flavour}-${express}`;
    const env = { OTEL_SERVICE_NAME: 'orders-otel', OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
    expect(await runApp(file, id, [...nodeArgs], env)).toEqual({ payments: 200, correlationId: id });
    // The express spans may come in a later export batch than the SERVER and CLIENT ones: wait for all three kinds.
    const spans = await collectedTrace(
      collectorUrl,
      id,
      (s) => s.some((x) => x.kind === 'server') && s.some((x) => x.kind === 'client') && s.some((x) => x.kind === 'internal' && /middleware|request handler/.test(x.name)),
    );
    // The application's setup owns the resource: every span is orders-otel's.
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['orders-otel']));
    // One SERVER span (the http instrumentation's), carrying Faultline's correlation id.
    const servers = spans.filter((s) => s.kind === 'server');
    expect(servers).toHaveLength(1);
    expect(servers[0]!.attributes['faultline.correlation_id']).toBe(id);
    // The app keeps its express instrumentation spans.
    expect(spans.some((s) => s.kind === 'internal' && /middleware|request handler/.test(s.name)), JSON.stringify(spans.map((s) => s.name))).toBe(true);
    // Faultline's CLIENT span, and no second one from the undici instrumentation.
    const client = clientSpans(spans);
    expect(client, JSON.stringify(client.map((s) => s.name))).toHaveLength(1);
    expect(client[0]).toMatchObject({ name: 'GET payments', attributes: { 'peer.service': 'payments' } });
  });
});

describe('the packed type declarations', () => {
  it('compile in a consumer with strict, exactOptionalPropertyTypes and noUncheckedIndexedAccess (ESM and CJS)', () => {
    const consumer = `import express from 'express';
import { init, middleware, createClient, isTimeoutError, type ClientOptions } from '@faultline/sdk';
import { startCollector } from '@faultline/collector';
const sdk = init({ serviceName: 'c', serviceVersion: '1.0.0', environment: 'test' });
const options: ClientOptions = { target: 'payments', baseUrl: 'http://127.0.0.1:1', policies: { retry: { maxAttempts: 2 }, breaker: false } };
const payments = createClient(options);
const app = express();
app.use(middleware({ rejectExpired: true }));
app.get('/', async (_req, res) => { try { res.json({ s: (await payments('/x', { timeoutMs: 100 })).status, mode: sdk.mode }); } catch (e) { res.status(isTimeoutError(e) ? 504 : 500).end(); } });
void startCollector;
`;
    writeFileSync(join(project.dir, 'consumer.mts'), consumer);
    writeFileSync(join(project.dir, 'consumer.cts'), consumer.replace("import express from 'express';", "import express = require('express');"));
    const compilerOptions = { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false, types: ['node'] };
    writeFileSync(join(project.dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.mts', 'consumer.cts'] }));
    let out = '';
    try {
      out = execFileSync(binOf(project, 'tsc'), ['-p', 'tsconfig.json'], { cwd: project.dir, encoding: 'utf8' });
    } catch (error) {
      out = String((error as { stdout?: string }).stdout ?? error);
    }
    // Third-party declarations are the consumer's business; ours and the consumer's must be clean.
    const ours = out.split('\n').filter((l) => /consumer\.[mc]ts|@faultline\//.test(l));
    expect(ours, out).toEqual([]);
  }, 60_000);
});
