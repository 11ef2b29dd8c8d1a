// Interoperability: spans from the official OpenTelemetry exporters (no Faultline SDK) are
// accepted over OTLP/HTTP protobuf, OTLP/HTTP JSON and OTLP/gRPC, and come back from the API.
import { Metadata } from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCollector } from './collector.js';

const TOKEN = 'interop-secret';

interface ApiSpan {
  spanId: string;
  parentSpanId: string;
  service: string;
  name: string;
  kind: string;
  status: string;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
}

async function emit(exporter: SpanExporter, service: string): Promise<{ traceId: string; serverSpanId: string; clientSpanId: string }> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('interop-test', '1.0.0');
  const server = tracer.startSpan('GET /checkout', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/checkout' } });
  const ctx = trace.setSpan(context.active(), server);
  const client = tracer.startSpan('POST payments', { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'payments', 'retry.count': 2, ratio: 0.5, ok: true, tags: ['a', 'b'] } }, ctx);
  client.addEvent('retry', { 'faultline.attempt': 1, 'faultline.delay_ms': 100 });
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'payments unavailable' });
  client.end();
  server.end();
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: server.spanContext().traceId, serverSpanId: server.spanContext().spanId, clientSpanId: client.spanContext().spanId };
}

describe('official OpenTelemetry exporters', () => {
  let c: Awaited<ReturnType<typeof testCollector>>;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-interop-'));
  beforeAll(async () => {
    // A database file, as by default: writes go through the SQLite writer thread.
    c = await testCollector({ grpcPort: -1, token: TOKEN, dbPath: join(dir, 'interop.db') });
  });
  afterAll(async () => {
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const exporters: [string, () => SpanExporter][] = [
    ['exporter-trace-otlp-proto', () => new ProtoExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${TOKEN}` } })],
    ['exporter-trace-otlp-proto with gzip', () => new ProtoExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${TOKEN}` }, compression: 'gzip' as never })],
    ['exporter-trace-otlp-http (JSON)', () => new HttpJsonExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${TOKEN}` } })],
    [
      'exporter-trace-otlp-grpc',
      () => {
        const metadata = new Metadata();
        metadata.set('authorization', `Bearer ${TOKEN}`);
        return new GrpcExporter({ url: `http://127.0.0.1:${c.grpcPort}`, metadata: metadata as never });
      },
    ],
  ];

  it.each(exporters)('%s: spans are accepted and returned by GET /api/traces/:id', async (name, make) => {
    const service = `interop-${name.replace(/[^a-z]+/g, '-')}`;
    const ids = await emit(make(), service);
    const res = await fetch(`${c.url}/api/traces/${ids.traceId}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { traceId: string; spans: ApiSpan[] };
    expect(body.traceId).toBe(ids.traceId);
    const server = body.spans.find((s) => s.spanId === ids.serverSpanId)!;
    const client = body.spans.find((s) => s.spanId === ids.clientSpanId)!;
    expect(server).toMatchObject({ service, name: 'GET /checkout', kind: 'server', parentSpanId: '', status: 'unset', attributes: { 'http.route': '/checkout' } });
    expect(client).toMatchObject({
      service,
      name: 'POST payments',
      kind: 'client',
      parentSpanId: ids.serverSpanId,
      status: 'error',
      attributes: { 'peer.service': 'payments', 'retry.count': 2, ratio: 0.5, ok: true, tags: ['a', 'b'] },
    });
    expect(client.events).toEqual([expect.objectContaining({ name: 'retry', attributes: { 'faultline.attempt': 1, 'faultline.delay_ms': 100 } })]);
  });

  it('an exporter without the token is refused (HTTP 401, gRPC UNAUTHENTICATED)', async () => {
    const results: number[] = [];
    for (const exporter of [new ProtoExporter({ url: `${c.url}/v1/traces` }), new GrpcExporter({ url: `http://127.0.0.1:${c.grpcPort}` })]) {
      const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'intruder' }), spanProcessors: [] });
      const span = provider.getTracer('t').startSpan('x');
      span.end();
      const code = await new Promise<number>((resolve) => exporter.export([span as never], (r) => resolve(r.code)));
      results.push(code);
      await exporter.shutdown();
    }
    expect(results).toEqual([1, 1]); // ExportResultCode.FAILED
    const services = await (await fetch(`${c.url}/api/services`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
    expect(services.map((s: { name: string }) => s.name)).not.toContain('intruder');
  });
});
