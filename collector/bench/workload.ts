// Synthetic but realistic spans for the benchmark: traces of 8 spans over five services,
// with HTTP attributes and SDK events, encoded once as a 512-span OTLP protobuf template
// whose trace ids are rewritten per request (so every request stores new spans).
import { randomBytes } from 'node:crypto';
import type { SpanRecord } from '../src/model.js';
import { otlpProtobuf } from '../test/collector.js';

const hex = (n: number) => randomBytes(n).toString('hex');

function s(traceId: string, service: string, kind: SpanRecord['kind'], parent: string, startMs: number, durationMs: number, name: string, attributes: SpanRecord['attributes'], error = false): SpanRecord {
  return {
    traceId, spanId: hex(8), parentSpanId: parent, service, name, kind, startMs, endMs: startMs + durationMs, durationMs,
    status: error ? 'error' : 'unset', statusMessage: error ? 'upstream failed' : '', attributes, resource: { 'service.name': service }, events: [], links: [],
  };
}

/** One checkout trace: gateway → orders → payments, inventory, shipping. */
export function traceSpans(startMs: number, opts: { paymentsFail?: boolean } = {}): SpanRecord[] {
  const t = hex(16);
  const fail = opts.paymentsFail ?? false;
  const http = (method: string, route: string, status: number) => ({ 'http.request.method': method, 'http.route': route, 'http.response.status_code': status, 'url.scheme': 'http', 'server.port': 8080 });
  const root = s(t, 'gateway', 'server', '', startMs, 40, 'POST /checkout', http('POST', '/checkout', fail ? 502 : 200), fail);
  const gc = s(t, 'gateway', 'client', root.spanId, startMs + 1, 37, 'POST orders', { ...http('POST', '/orders', fail ? 502 : 201), 'peer.service': 'orders' }, fail);
  const os = s(t, 'orders', 'server', gc.spanId, startMs + 2, 35, 'POST /orders', http('POST', '/orders', fail ? 502 : 201), fail);
  const oc1 = s(t, 'orders', 'client', os.spanId, startMs + 3, 12, 'POST payments', { ...http('POST', '/payments', fail ? 503 : 200), 'peer.service': 'payments' }, fail);
  if (fail) oc1.events.push({ name: 'retry', timeMs: startMs + 5, attributes: { 'faultline.attempt': 1, 'faultline.delay_ms': 50, 'faultline.reason': 'status 503' } });
  const ps = s(t, 'payments', 'server', oc1.spanId, startMs + 4, 10, 'POST /payments', http('POST', '/payments', fail ? 503 : 200), fail);
  const oc2 = s(t, 'orders', 'client', os.spanId, startMs + 16, 8, 'POST inventory', { ...http('POST', '/reservations', 200), 'peer.service': 'inventory' });
  const is = s(t, 'inventory', 'server', oc2.spanId, startMs + 17, 6, 'POST /reservations', http('POST', '/reservations', 200));
  const ss = s(t, 'shipping', 'consumer', '', startMs + 30, 4, 'order.created process', { 'messaging.system': 'nats', 'messaging.destination.name': 'orders' });
  ss.links.push({ traceId: t, spanId: os.spanId, attributes: {} });
  return [root, gc, os, oc1, ps, oc2, is, ss];
}

export interface Template {
  bytes: Buffer;
  /** Offsets of every trace id occurrence, grouped by trace. */
  traceIdOffsets: number[][];
  spans: number;
}

export function makeTemplate(spansPerBatch = 512): Template {
  const spans: SpanRecord[] = [];
  const now = Date.now();
  while (spans.length < spansPerBatch) spans.push(...traceSpans(now - 5000 + spans.length, { paymentsFail: spans.length % 80 === 0 }));
  spans.length = spansPerBatch;
  const bytes = Buffer.from(otlpProtobuf(spans));
  const ids = [...new Set(spans.map((x) => x.traceId))];
  const traceIdOffsets = ids.map((id) => {
    const needle = Buffer.from(id, 'hex');
    const offsets: number[] = [];
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) offsets.push(at);
    return offsets;
  });
  return { bytes, traceIdOffsets, spans: spansPerBatch };
}

let counter = BigInt(Date.now()) << 20n;
/** A copy of the template with fresh trace ids (first 8 bytes of each id). */
export function nextBatch(t: Template): Buffer {
  const out = Buffer.from(t.bytes);
  for (const offsets of t.traceIdOffsets) {
    counter++;
    for (const at of offsets) out.writeBigUInt64BE(counter, at);
  }
  return out;
}
