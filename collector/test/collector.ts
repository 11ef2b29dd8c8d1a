// Starts a real collector on free ports for HTTP tests, and OTLP request builders.
import { startCollector, type CollectorOptions, type RunningCollector } from '../src/index.js';
import { ExportTraceServiceRequest } from '../src/ingest/index.js';
import type { SpanRecord } from '../src/model.js';

export async function testCollector(options: CollectorOptions = {}): Promise<RunningCollector & { logs: string[] }> {
  const logs: string[] = [];
  const c = await startCollector({ port: 0, grpcPort: 0, dbPath: ':memory:', databaseUrl: null, token: null, controlUrl: null, log: (l) => logs.push(l), ...options });
  return Object.assign(c, { logs });
}

const KIND_NUMBER = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
const STATUS_NUMBER = { unset: 0, ok: 1, error: 2 } as const;

function anyValue(v: unknown): object {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: String(v) };
}

const kvs = (attrs: Record<string, unknown>) => Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** OTLP JSON for SpanRecords, one resourceSpans per resource (`service.name` from the span's service; other attributes such as `service.namespace` from its resource). */
export function otlpJson(spans: readonly SpanRecord[]): { resourceSpans: object[] } {
  const byResource = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const key = JSON.stringify({ ...s.resource, 'service.name': s.service });
    byResource.set(key, [...(byResource.get(key) ?? []), s]);
  }
  return {
    resourceSpans: [...byResource.entries()].map(([resource, list]) => ({
      resource: { attributes: kvs(JSON.parse(resource) as Record<string, unknown>) },
      scopeSpans: [
        {
          scope: { name: 'faultline-test' },
          spans: list.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId,
            name: s.name,
            kind: KIND_NUMBER[s.kind],
            startTimeUnixNano: nanos(s.startMs),
            endTimeUnixNano: nanos(s.endMs),
            attributes: kvs(s.attributes),
            events: s.events.map((e) => ({ name: e.name, timeUnixNano: nanos(e.timeMs), attributes: kvs(e.attributes) })),
            links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: kvs(l.attributes) })),
            status: { code: STATUS_NUMBER[s.status], message: s.statusMessage },
          })),
        },
      ],
    })),
  };
}

/** The same request as protobuf bytes (ids converted from hex to bytes). */
export function otlpProtobuf(spans: readonly SpanRecord[]): Uint8Array {
  const json = otlpJson(spans) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  for (const rs of json.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        for (const k of ['traceId', 'spanId', 'parentSpanId']) s[k] = Buffer.from(s[k] as string, 'hex');
        s.links = (s.links as { traceId: string; spanId: string }[]).map((l) => ({ ...l, traceId: Buffer.from(l.traceId, 'hex'), spanId: Buffer.from(l.spanId, 'hex') }));
      }
    }
  }
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(json)).finish();
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const raw = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body);
  return fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
}

export function postProtobuf(url: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...headers }, body: Buffer.from(body) });
}
