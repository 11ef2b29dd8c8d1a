// Own-fixture RCA cases: the official-OpenTelemetry shop of test/rca/otelShop.ts with one
// fault each (several kinds × positions, unfamiliar service names), captured as the OTLP
// JSON the SDK exporters sent, saved in the format of a dataset folder (cases.json +
// <case>.otlp.json.gz) under bench/.cache so that later runs reuse them.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { defaultShop, runShop, type ShopFault, type ShopService } from '../../test/rca/otelShop.js';
import { DEFAULT_INGEST_LIMITS, decodeJsonRequest } from '../../src/ingest/index.js';
import type { Dataset, RcaCase } from './datasets.js';

/** Bump when the shop or the specs change meaning: cached cases of another version are regenerated. */
const FIXTURE_VERSION = 1;
/** Normal traffic and traffic with the fault per case, ms. */
const NORMAL_MS = 20_000;
const FAULT_MS = 15_000;

export interface FixtureSpec {
  id: string;
  services: ShopService[];
  fault: ShopFault;
}

/** entry → a → (b, c → d), entry → side: six services, two depths. */
function wideShop(n: [string, string, string, string, string, string]): ShopService[] {
  const [entry, a, b, c, d, side] = n;
  return [
    { name: entry, calls: [a, side], express: 4, client: 'http' },
    { name: a, calls: [b, c], express: 5, client: 'fetch' },
    { name: b, express: 4 },
    { name: c, calls: [d], express: 5, client: 'http' },
    { name: d, express: 5 },
    { name: side, express: 4 },
  ];
}

/** The cases, in the order they are taken (the first N). */
export function fixtureSpecs(): FixtureSpec[] {
  const shopA = defaultShop({ frontend: 'kiosk', orders: 'bursar', inventory: 'larder', pricing: 'tithe' });
  const shopB = defaultShop({ frontend: 'porch', orders: 'switchyard', inventory: 'silo', pricing: 'meter-svc' });
  const wide = wideShop(['gate-api', 'conductor', 'almanac', 'relay-x', 'cellar', 'herald']);
  return [
    { id: 'error-leaf', services: shopA, fault: { service: 'larder', kind: 'error' } },
    { id: 'cpu-hog-middle', services: shopB, fault: { service: 'switchyard', kind: 'cpu-hog' } },
    { id: 'hop-delay-leaf', services: shopA, fault: { service: 'tithe', kind: 'hop-delay', delayMs: 120 } },
    { id: 'delay-leaf', services: shopB, fault: { service: 'silo', kind: 'delay', delayMs: 120 } },
    { id: 'wide-error-deep', services: wide, fault: { service: 'relay-x', kind: 'error' } },
    { id: 'wide-cpu-hog-deep', services: wide, fault: { service: 'cellar', kind: 'cpu-hog' } },
    { id: 'wide-hop-delay-middle', services: wide, fault: { service: 'conductor', kind: 'hop-delay', delayMs: 100 } },
    { id: 'wide-delay-side', services: wide, fault: { service: 'herald', kind: 'delay', delayMs: 150 } },
    { id: 'wide-error-leaf', services: wide, fault: { service: 'almanac', kind: 'error' } },
    { id: 'cpu-hog-entry', services: shopA, fault: { service: 'kiosk', kind: 'cpu-hog' } },
  ];
}

function signature(spec: FixtureSpec): string {
  return createHash('sha256').update(JSON.stringify({ v: FIXTURE_VERSION, NORMAL_MS, FAULT_MS, spec })).digest('hex').slice(0, 16);
}

/** An OTLP/HTTP JSON receiver that keeps every resourceSpans it is sent. */
async function captureServer(): Promise<{ url: string; resourceSpans: unknown[]; close: () => Promise<void> }> {
  const resourceSpans: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const parsed = JSON.parse(body.toString('utf8')) as { resourceSpans?: unknown[] };
        resourceSpans.push(...(parsed.resourceSpans ?? []));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (e) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 3, message: String(e) }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, resourceSpans, close: () => new Promise((r) => server.close(() => r())) };
}

type CachedCase = RcaCase & { signature: string };

/** Runs one spec against a capture server and saves it; returns its cases.json entry. */
async function generate(dir: string, spec: FixtureSpec, log: (line: string) => void): Promise<CachedCase> {
  const capture = await captureServer();
  try {
    const run = await runShop({ otlpUrl: capture.url, protocol: 'json', services: spec.services, fault: spec.fault, normalMs: NORMAL_MS, faultMs: FAULT_MS, log });
    const request = { resourceSpans: capture.resourceSpans };
    const body = Buffer.from(JSON.stringify(request));
    const spans = decodeJsonRequest(body, { ...DEFAULT_INGEST_LIMITS, spansPerRequestMax: 10_000_000, bodyBytesMax: 2 ** 31 - 1 }).spans;
    if (spans.length === 0) throw new Error(`fixture ${spec.id}: no spans captured`);
    const file = `${spec.id}.otlp.json.gz`;
    writeFileSync(join(dir, file), gzipSync(body));
    const injectMs = run.faultStartMs!;
    return {
      case: spec.id,
      rootService: spec.fault.service,
      faultType: spec.fault.kind,
      injectMs,
      fromMs: injectMs - 10 * 60_000,
      toMs: injectMs + 5 * 60_000,
      dataFromMs: Math.min(...spans.map((s) => s.startMs)),
      dataToMs: Math.max(...spans.map((s) => s.endMs)),
      file,
      signature: signature(spec),
    };
  } finally {
    await capture.close();
  }
}

/**
 * The first `count` own-fixture cases as a dataset, generating those missing from the cache
 * (about 40 s each) unless `refresh` is false and they are there already.
 */
export async function ownFixtures(cacheDir: string, count: number, options: { refresh?: boolean; only?: string; log?: (line: string) => void } = {}): Promise<Dataset> {
  const log = options.log ?? (() => {});
  mkdirSync(cacheDir, { recursive: true });
  const index = join(cacheDir, 'cases.json');
  const cached = new Map<string, CachedCase>();
  if (existsSync(index) && !options.refresh) {
    for (const c of (JSON.parse(readFileSync(index, 'utf8')) as { cases: CachedCase[] }).cases) cached.set(c.case, c);
  }
  const cases: CachedCase[] = [];
  for (const spec of fixtureSpecs().slice(0, count)) {
    if (options.only && !`own-fixtures/${spec.id}`.includes(options.only) && spec.fault.kind !== options.only) continue;
    const hit = cached.get(spec.id);
    if (hit && hit.signature === signature(spec) && existsSync(join(cacheDir, hit.file))) {
      cases.push(hit);
      continue;
    }
    log(`rca fixture ${spec.id}: generating (${(NORMAL_MS + FAULT_MS) / 1000} s of load)`);
    const fresh = await generate(cacheDir, spec, log);
    cases.push(fresh);
    cached.set(spec.id, fresh);
    writeFileSync(index, `${JSON.stringify({ version: FIXTURE_VERSION, cases: [...cached.values()] }, null, 1)}\n`);
  }
  return { name: 'own-fixtures', dir: cacheDir, cases };
}
