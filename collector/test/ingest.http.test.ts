// POST /v1/traces over real HTTP: every answer of the contract's ingest table.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportTraceServiceResponse, RpcStatus } from '../src/ingest/schema.js';
import { call, span } from './helpers.js';
import { otlpJson, otlpProtobuf, postJson, postProtobuf, testCollector } from './collector.js';

describe('POST /v1/traces', () => {
  let c: Awaited<ReturnType<typeof testCollector>>;
  beforeAll(async () => {
    c = await testCollector({ limits: { bodyBytesMax: 256 * 1024, spansPerRequestMax: 100 } });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('accepts protobuf, answers an ExportTraceServiceResponse in protobuf, and stores the spans', async () => {
    const spans = call('gateway', 'orders');
    const res = await postProtobuf(c.url, otlpProtobuf(spans));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-protobuf/);
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(new Uint8Array(await res.arrayBuffer())))).toEqual({});
    const trace = await (await fetch(`${c.url}/api/traces/${spans[0].traceId}`)).json();
    expect(trace.spans.map((s: { service: string }) => s.service).sort()).toEqual(['gateway', 'orders']);
  });

  it('accepts JSON and gzip, answering in JSON', async () => {
    const spans = [span({ service: 'json-svc' })];
    const res = await postJson(c.url, gzipSync(JSON.stringify(otlpJson(spans))), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect((await fetch(`${c.url}/api/traces/${spans[0]!.traceId}`)).status).toBe(200);
  });

  it('counts spans over the per-request limit in partialSuccess', async () => {
    const spans = Array.from({ length: 103 }, () => span({ service: 'many' }));
    const res = await postJson(c.url, otlpJson(spans));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.partialSuccess.rejectedSpans).toBe('3');
    expect(body.partialSuccess.errorMessage).toMatch(/over the limit of 100/);
  });

  it('answers 400 with a google.rpc.Status in the request encoding, storing nothing', async () => {
    const good = span({ service: 'half' });
    const bad = { ...span({ service: 'half' }), spanId: 'zz' };
    const res = await postJson(c.url, otlpJson([good, bad]));
    expect(res.status).toBe(400);
    const status = await res.json();
    expect(status).toMatchObject({ code: 3, message: expect.stringMatching(/spanId/) });
    expect((await fetch(`${c.url}/api/traces/${good.traceId}`)).status).toBe(404);

    const pb = await postProtobuf(c.url, Buffer.from([0x0a, 0xff, 0xff, 0xff]));
    expect(pb.status).toBe(400);
    const decoded = RpcStatus.toObject(RpcStatus.decode(new Uint8Array(await pb.arrayBuffer())));
    expect(decoded.code).toBe(3);
    expect(decoded.message).toMatch(/not a valid ExportTraceServiceRequest/);
  });

  it('answers 400 to a body that is not gzip despite Content-Encoding: gzip', async () => {
    const res = await postJson(c.url, '{}', { 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
  });

  it('answers 415 to other content types and encodings', async () => {
    const res = await fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(res.status).toBe(415);
    expect((await postJson(c.url, '{}', { 'content-encoding': 'br' })).status).toBe(415);
  });

  it('answers 413 to a body over the limit, compressed or decompressed', async () => {
    const big = 'x'.repeat(300 * 1024);
    expect((await postJson(c.url, big)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    const res = await postJson(c.url, bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    // and the collector still works right after
    expect((await postJson(c.url, otlpJson([span({ service: 'after' })]))).status).toBe(200);
  });

  it('answers 405 to other methods on /v1/traces', async () => {
    expect((await fetch(`${c.url}/v1/traces`)).status).toBe(405);
  });
});
