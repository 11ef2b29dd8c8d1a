// Hostile input: property-based fuzzing of POST /v1/traces and every /api/*
// parameter against the collector CLI as a child process. Never a 5xx, never a
// crash, memory bounded, and a valid request right after still works.
// FUZZ_RUNS sets the number of generated cases, split across the properties below (they
// add up to just over FUZZ_RUNS, plus ~40 fixed cases). Default 300; `test:fuzz` runs 10,000+.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpJson, otlpProtobuf } from '../collector.js';
import { span } from '../helpers.js';
import { startCollectorProcess, stopAllCollectors, type CollectorProcess } from './collectorProcess.js';
import {
  annotationBody,
  apiPath,
  applyJsonEdits,
  deepAttributeRequest,
  deepJsonRequest,
  field,
  gzipBomb,
  jsonEdit,
  mutate,
  mutation,
  queryString,
  requestWithSpan,
  validJson,
  validProtobuf,
} from './fuzzInputs.js';

const FUZZ_RUNS = Math.max(50, Number(process.env.FUZZ_RUNS ?? 300) || 300);
const runs = (share: number) => Math.max(10, Math.round(FUZZ_RUNS * share));
/** The collector's resident memory must stay under this through everything below. */
const RSS_BOUND_BYTES = 768 * 1024 * 1024;
const BODY_LIMIT_BYTES = 16 * 1024 * 1024;
const PROPERTY_TIMEOUT_MS = Math.max(180_000, FUZZ_RUNS * 60);

const dir = mkdtempSync(join(tmpdir(), 'faultline-fuzz-'));
let collector: CollectorProcess;
const tally = { cases: 0, statuses: new Map<string, number>(), peakRssBytes: 0 };

beforeAll(async () => {
  collector = await startCollectorProcess({ dbPath: join(dir, 'fuzz.db') });
}, 90_000);

afterAll(async () => {
  const statuses = Object.fromEntries([...tally.statuses].sort());
  console.log(`fuzz: ${tally.cases} cases, statuses ${JSON.stringify(statuses)}, peak RSS ${(tally.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  if (collector?.alive()) await collector.kill('SIGTERM');
  stopAllCollectors();
  rmSync(dir, { recursive: true, force: true });
});

function sampleRss(): number {
  const rss = collector.rssBytes() ?? 0;
  if (rss > tally.peakRssBytes) tally.peakRssBytes = rss;
  return rss;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** One request; a network error means the server died or hung up on a well-formed request, which fails the case. */
async function send(path: string, init: RequestInit = {}): Promise<Answer> {
  tally.cases++;
  let res: Response;
  try {
    res = await fetch(`${collector.url}${path}`, { ...init, signal: AbortSignal.timeout(60_000) });
  } catch (e) {
    throw new Error(`request to ${path} failed (${(e as Error).message}); collector alive: ${collector.alive()}\n${collector.output().slice(-2000)}`);
  }
  const body = Buffer.from(await res.arrayBuffer());
  tally.statuses.set(String(res.status), (tally.statuses.get(String(res.status)) ?? 0) + 1);
  return { status: res.status, headers: res.headers, body };
}

function postTraces(body: Uint8Array | string, headers: Record<string, string>): Promise<Answer> {
  return send('/v1/traces', { method: 'POST', headers, body: typeof body === 'string' ? body : Buffer.from(body) });
}

/** 429 is overload, not a failure, but only with the Retry-After the contract promises. */
function expectStatus(a: Answer, allowed: number[], what: string): void {
  if (a.status === 429) {
    expect(a.headers.get('retry-after'), `${what}: 429 without Retry-After`).toMatch(/^\d+$/);
    return;
  }
  expect(allowed, `${what}: status ${a.status} ${a.body.toString('utf8', 0, 300)}`).toContain(a.status);
}

/** The server is alive, answers health checks, accepts and stores a valid request, and stays within its memory bound. */
async function expectHealthy(): Promise<void> {
  expect(collector.alive(), `collector died:\n${collector.output().slice(-3000)}`).toBe(true);
  expect((await send('/healthz')).status).toBe(200);
  const traceId = randomBytes(16).toString('hex');
  const ok = await postTraces(otlpProtobuf([span({ service: 'fuzz-canary', traceId })]), { 'content-type': 'application/x-protobuf' });
  expect(ok.status, 'a valid request right after the hostile ones').toBe(200);
  expect((await send(`/api/traces/${traceId}`)).status).toBe(200);
  expect(sampleRss(), 'collector RSS').toBeLessThan(RSS_BOUND_BYTES);
}

/** Samples the collector's RSS while `work` runs: the peak is what a bomb would show. */
async function peakRssDuring<T>(work: () => Promise<T>): Promise<{ result: T; peakBytes: number; beforeBytes: number }> {
  const beforeBytes = sampleRss();
  let peakBytes = beforeBytes;
  const timer = setInterval(() => (peakBytes = Math.max(peakBytes, sampleRss())), 5);
  try {
    const result = await work();
    return { result, peakBytes: Math.max(peakBytes, sampleRss()), beforeBytes };
  } finally {
    clearInterval(timer);
  }
}

const protobufHeaders = { 'content-type': 'application/x-protobuf' };
const jsonHeaders = { 'content-type': 'application/json' };

describe('POST /v1/traces under hostile input', () => {
  it(
    'truncated and mutated protobuf: 200 or 400, never a 5xx',
    async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(validProtobuf, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (valid, mutations, gzip) => {
          const body = mutate(valid, mutations);
          const a = await postTraces(gzip ? gzipSync(body) : body, gzip ? { ...protobufHeaders, 'content-encoding': 'gzip' } : protobufHeaders);
          expectStatus(a, [200, 400], `mutated protobuf (${body.length} bytes)`);
          if (++n % 200 === 0) await expectHealthy();
        }),
        { numRuns: runs(0.24) },
      );
      await expectHealthy();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'OTLP JSON with wrong types, missing and renamed fields: 200 or 400',
    async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(validJson, fc.array(jsonEdit, { minLength: 1, maxLength: 4 }), async (doc, edits) => {
          const body = JSON.stringify(applyJsonEdits(doc as never, edits));
          const a = await postTraces(body, jsonHeaders);
          expectStatus(a, [200, 400], `edited JSON ${body.slice(0, 200)}`);
          if (a.status === 200) expect(() => JSON.parse(a.body.toString())).not.toThrow();
          if (++n % 200 === 0) await expectHealthy();
        }),
        { numRuns: runs(0.24) },
      );
      await expectHealthy();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'arbitrary bytes under any content type and content encoding: 200, 400, 413 or 415',
    async () => {
      const contentType = fc.oneof(
        fc.constantFrom('application/x-protobuf', 'application/json', 'application/protobuf', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x', ''),
        fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
      );
      const contentEncoding = fc.oneof(fc.constantFrom('gzip', 'identity', 'deflate', 'br', 'GZIP', 'gzip, gzip', ''), fc.stringMatching(/^[\x21-\x7e]{0,20}$/));
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), contentType, fc.option(contentEncoding), async (body, type, encoding) => {
          const headers: Record<string, string> = { 'content-type': type };
          if (encoding !== null) headers['content-encoding'] = encoding;
          const a = await postTraces(body, headers);
          expectStatus(a, [200, 400, 413, 415], `bytes as ${JSON.stringify(headers)}`);
        }),
        { numRuns: runs(0.09) },
      );
      await expectHealthy();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'invalid trace and span ids: 400 unless both are well-formed',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: 40 }), fc.nat({ max: 20 }), fc.boolean(), async (traceBytes, spanBytes, zeros) => {
          const traceId = zeros ? Buffer.alloc(traceBytes) : randomBytes(traceBytes);
          const spanId = zeros ? Buffer.alloc(spanBytes) : randomBytes(spanBytes);
          const a = await postTraces(requestWithSpan({ traceId, spanId }), protobufHeaders);
          const wellFormed = traceBytes === 16 && spanBytes === 8 && !zeros;
          expectStatus(a, wellFormed ? [200] : [400], `ids of ${traceBytes}/${spanBytes} bytes${zeros ? ', all zero' : ''}`);
        }),
        { numRuns: runs(0.05) },
      );
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 40 }), fc.string({ maxLength: 20 }), async (traceId, spanId) => {
          const doc = otlpJson([span({ service: 'fuzz-ids' })]) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
          Object.assign(doc.resourceSpans[0]!.scopeSpans[0]!.spans[0]!, { traceId, spanId });
          const a = await postTraces(JSON.stringify(doc), jsonHeaders);
          const wellFormed = /^[0-9a-fA-F]{32}$/.test(traceId) && /^[0-9a-fA-F]{16}$/.test(spanId) && !/^0+$/.test(traceId) && !/^0+$/.test(spanId);
          expectStatus(a, wellFormed ? [200] : [400], `JSON ids ${JSON.stringify([traceId, spanId])}`);
        }),
        { numRuns: runs(0.05) },
      );
      await expectHealthy();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('huge attribute values, names and counts are cut to the limits, not refused or stored whole', async () => {
    const traceId = randomBytes(16).toString('hex');
    const huge = 'v'.repeat(3 * 1024 * 1024);
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    const s = span({ service: 'fuzz-huge', traceId, name: 'n'.repeat(200_000), attributes: { huge, ...many } });
    s.events = Array.from({ length: 1000 }, (_, i) => ({ name: `e${i}`, timeMs: s.startMs, attributes: { huge: 'e'.repeat(5_000) } }));
    for (const [body, headers] of [[otlpProtobuf([s]), protobufHeaders], [JSON.stringify(otlpJson([s])), jsonHeaders]] as const) {
      const a = await postTraces(body, headers);
      expectStatus(a, [200], 'huge values');
    }
    const stored = await send(`/api/traces/${traceId}`);
    expect(stored.status).toBe(200);
    const spans = JSON.parse(stored.body.toString()).spans as { name: string; attributes: Record<string, unknown>; events: unknown[] }[];
    expect(spans[0]!.name.length).toBeLessThanOrEqual(1024);
    expect(String(spans[0]!.attributes.huge ?? '').length).toBeLessThanOrEqual(4096);
    expect(Object.keys(spans[0]!.attributes).length).toBeLessThanOrEqual(128);
    expect(spans[0]!.events.length).toBeLessThanOrEqual(128);

    // More spans than one request may carry: the rest are counted as rejected, per OTLP partialSuccess.
    const tooMany = Array.from({ length: 10_050 }, () => span({ service: 'fuzz-many' }));
    const a = await postTraces(JSON.stringify(otlpJson(tooMany)), jsonHeaders);
    expectStatus(a, [200], 'spans over the per-request cap');
    expect(Number(JSON.parse(a.body.toString()).partialSuccess?.rejectedSpans)).toBe(50);
    await expectHealthy();
  }, 120_000);

  it.each([1, 10, 100, 1_000, 10_000, 100_000])('attribute values nested %i deep: 200 or 400, never a crash', async (depth) => {
    expectStatus(await postTraces(deepAttributeRequest(depth), protobufHeaders), [200, 400], `protobuf nesting ${depth}`);
    expectStatus(await postTraces(deepJsonRequest(depth), jsonHeaders), [200, 400], `JSON nesting ${depth}`);
    await expectHealthy();
  }, 120_000);

  it('deeply nested raw JSON and protobuf messages: 400', async () => {
    expectStatus(await postTraces('['.repeat(1_000_000) + ']'.repeat(1_000_000), jsonHeaders), [400], 'a million nested arrays');
    expectStatus(await postTraces('{"resourceSpans":'.repeat(200_000) + '[]' + '}'.repeat(200_000), jsonHeaders), [400], 'nested objects');
    // A request whose resource spans nest into themselves as unknown length-delimited fields.
    let nested: Buffer = Buffer.from('x');
    for (let i = 0; i < 3000; i++) nested = field(1, nested);
    expectStatus(await postTraces(nested, protobufHeaders), [200, 400], 'self-nested protobuf');
    await expectHealthy();
  }, 120_000);

  it('content types: parameters and case are tolerated, anything else is 415', async () => {
    const body = JSON.stringify(otlpJson([span({ service: 'fuzz-ct' })]));
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8']) {
      expectStatus(await postTraces(body, { 'content-type': type }), [200], type);
    }
    for (const type of ['text/plain', 'application/xml', 'application/jsonx', 'json', '']) {
      expectStatus(await postTraces(body, { 'content-type': type }), [415], JSON.stringify(type));
    }
    expectStatus(await send('/v1/traces', { method: 'POST', body }), [415], 'no content type');
    expectStatus(await postTraces(body, protobufHeaders), [400], 'JSON sent as protobuf');
    expectStatus(await postTraces(otlpProtobuf([span({ service: 'fuzz-ct' })]), jsonHeaders), [400], 'protobuf sent as JSON');
    expectStatus(await postTraces(body, { ...jsonHeaders, 'content-encoding': 'gzip' }), [400], 'plain body declared gzip');
    expectStatus(await postTraces(gzipSync(gzipSync(body)), { ...jsonHeaders, 'content-encoding': 'gzip' }), [400], 'gzip inside gzip');
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) expectStatus(await send('/v1/traces', { method }), [404, 405], method);
    await expectHealthy();
  }, 60_000);

  it('a gzip bomb is cut off at the size limit with 413, without inflating it in memory', async () => {
    const bomb = await gzipBomb(512 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(BODY_LIMIT_BYTES);
    for (const headers of [
      { ...protobufHeaders, 'content-encoding': 'gzip' },
      { ...jsonHeaders, 'content-encoding': 'gzip' },
    ]) {
      const { result, peakBytes, beforeBytes } = await peakRssDuring(() => postTraces(bomb, headers));
      expectStatus(result, [413], 'gzip bomb');
      // Inflating it would take 512 MiB; the cut-off holds at most the 16 MiB limit (plus buffers).
      expect(peakBytes - beforeBytes, 'RSS growth while inflating a 512 MiB bomb').toBeLessThan(96 * 1024 * 1024);
    }
    await expectHealthy();
  }, 120_000);

  it('many gzip bombs at once: each refused (413, or 429 while the body budget is spent), memory stays bounded', async () => {
    const bomb = await gzipBomb(256 * 1024 * 1024);
    const { result, peakBytes, beforeBytes } = await peakRssDuring(() =>
      Promise.all(Array.from({ length: 16 }, () => postTraces(bomb, { ...protobufHeaders, 'content-encoding': 'gzip' }))),
    );
    for (const a of result) expectStatus(a, [413], 'concurrent gzip bomb');
    // The in-flight body budget (64 MiB by default) bounds what all of them may hold together.
    expect(peakBytes - beforeBytes, 'RSS growth under 16 concurrent 256 MiB bombs').toBeLessThan(256 * 1024 * 1024);
    await expectHealthy();
  }, 180_000);

  it('garbage on the socket (not HTTP, broken framing, oversize headers) is refused without harm', async () => {
    const url = new URL(collector.url);
    const raw = (payload: string | Buffer) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(url.port), url.hostname);
        let answer = '';
        socket.on('data', (d) => (answer += d.toString('latin1')));
        socket.on('error', () => resolve(answer || 'reset'));
        socket.on('close', () => resolve(answer || 'closed'));
        socket.setTimeout(5_000, () => socket.destroy());
        socket.end(payload);
      });
    const cases: (string | Buffer)[] = [
      randomBytes(2048),
      'GET / HTTP/9.9\r\n\r\n',
      'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n{}\r\n0\r\n\r\n',
      `GET /api/services HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(80_000)}\r\n\r\n`,
      'GET /api/services HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    ];
    for (const payload of cases) {
      tally.cases++;
      const answer = await raw(payload);
      // Node's parser answers 400/431 or closes; never a 5xx.
      expect(answer, JSON.stringify(String(payload).slice(0, 80))).not.toMatch(/^HTTP\/1\.1 5\d\d/);
    }
    await expectHealthy();
  }, 60_000);

  it('bodies over the limit get 413, declared or streamed', async () => {
    // Declared over the limit: answered from the headers, before the body is read. (Sending the whole
    // body as well makes the answer race the upload: the server closes, the client may only see a reset.)
    const url0 = new URL(`${collector.url}/v1/traces`);
    const declared = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: url0.hostname, port: url0.port, path: url0.pathname, method: 'POST', headers: { ...protobufHeaders, 'content-length': String(BODY_LIMIT_BYTES + 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(64 * 1024, 0x41));
    });
    tally.cases++;
    expect(declared, 'declared over the limit').toBe(413);
    // Chunked, no Content-Length: the server must stop reading at the limit.
    const streamed = await new Promise<number | 'reset'>((resolve) => {
      const url = new URL(`${collector.url}/v1/traces`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve('reset'));
      const chunk = Buffer.alloc(256 * 1024, 0x42);
      let sent = 0;
      const pump = () => {
        while (sent < BODY_LIMIT_BYTES * 2) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    tally.cases++;
    // The answer is 413; if the server closes the connection while we still upload, the client may only see the reset.
    expect([413, 'reset']).toContain(streamed);
    await expectHealthy();
  }, 120_000);

  it('slow bodies do not block other requests, and a slow but complete body is accepted', async () => {
    const url = new URL(`${collector.url}/v1/traces`);
    const valid = Buffer.from(otlpProtobuf([span({ service: 'fuzz-slow' })]));
    const stalled = Array.from({ length: 8 }, () => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...protobufHeaders, 'content-length': String(valid.length) } });
      req.on('error', () => undefined);
      req.write(valid.subarray(0, 5)); // and never the rest
      return req;
    });
    const slow = new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...protobufHeaders, 'content-length': String(valid.length) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      let at = 0;
      const step = Math.max(1, Math.ceil(valid.length / 20));
      const timer = setInterval(() => {
        req.write(valid.subarray(at, at + step));
        at += step;
        if (at >= valid.length) {
          clearInterval(timer);
          req.end();
        }
      }, 75);
    });
    try {
      const started = Date.now();
      await expectHealthy();
      expect(Date.now() - started, 'a valid request while 8 bodies stall').toBeLessThan(10_000);
      expect(await slow).toBe(200);
    } finally {
      for (const req of stalled) req.destroy();
    }
    await expectHealthy();
  }, 60_000);
});

describe('/api/* under hostile parameters', () => {
  it(
    'every endpoint with arbitrary query strings and path segments: 200, 400 or 404 (414/431 for oversize URLs)',
    async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(apiPath, queryString, async (path, query) => {
          const a = await send(`${path}${query ? `?${query}` : ''}`);
          // Node's HTTP parser refuses request lines over its header limit before any route sees them.
          expectStatus(a, [200, 400, 404, 414, 431], `GET ${path}?${query.slice(0, 200)}`);
          if (a.status < 414 && (a.status !== 404 || path.startsWith('/api/traces/'))) {
            expect(() => JSON.parse(a.body.toString()), `JSON body of ${path}`).not.toThrow();
          }
          if (++n % 200 === 0) await expectHealthy();
        }),
        { numRuns: runs(0.33) },
      );
      await expectHealthy();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'POST /api/annotations with hostile bodies: 201, 400 or 413 with a JSON answer, never a failure',
    async () => {
      await fc.assert(
        fc.asyncProperty(annotationBody, async (body) => {
          const a = await send('/api/annotations', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          expectStatus(a, [201, 400, 413], `POST /api/annotations ${body.slice(0, 200)}`);
          expect(() => JSON.parse(a.body.toString()), 'JSON answer').not.toThrow();
        }),
        { numRuns: runs(0.1) },
      );
      await expectHealthy();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    '/api/stream with arbitrary parameters opens or refuses cleanly',
    async () => {
      await fc.assert(
        fc.asyncProperty(queryString, async (query) => {
          tally.cases++;
          const controller = new AbortController();
          const res = await fetch(`${collector.url}/api/stream${query ? `?${query}` : ''}`, { signal: controller.signal });
          tally.statuses.set(String(res.status), (tally.statuses.get(String(res.status)) ?? 0) + 1);
          controller.abort();
          if (res.status === 429 || res.status === 503) expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
          else expect([200, 400, 414, 431]).toContain(res.status);
        }),
        { numRuns: runs(0.03) },
      );
      await expectHealthy();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('unknown methods and routes under /api answer 404 or 405 with JSON', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      for (const path of ['/api/services', '/api/graph', '/api/traces', '/api/root-causes']) expectStatus(await send(path, { method }), [404, 405], `${method} ${path}`);
    }
    await expectHealthy();
  }, 60_000);

  it('the collector logged no unexpected internal failure while being fuzzed', () => {
    expect(collector.output()).not.toMatch(/unexpected ingest failure|query failed|uncaught|unhandled/i);
  });
});
