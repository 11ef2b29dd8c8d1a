import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeJsonRequest, decodeProtobufRequest, encodingOf, gunzipBounded } from './decode.js';
import { isDecodeError } from './DecodeError.js';
import { DEFAULT_INGEST_LIMITS, resolveIngestLimits } from './limits.js';
import { ExportTraceServiceRequest, ExportTraceServiceResponse, encodeExportResponse } from './schema.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const PARENT = 'eee19b7ec3c1b173';
const LINK_TRACE = '0102030405060708090a0b0c0d0e0f10';
const LINK_SPAN = '0102030405060708';

const bytes = (hex: string) => Buffer.from(hex, 'hex');

/** The same request in the protobuf object form (bytes ids) … */
function protoRequest() {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }, { key: 'host.name', value: { stringValue: 'h1' } }] },
        scopeSpans: [
          {
            scope: { name: 'test', version: '1' },
            spans: [
              {
                traceId: bytes(TRACE),
                spanId: bytes(SPAN),
                parentSpanId: bytes(PARENT),
                name: 'POST /pay',
                kind: 3,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000250500000',
                attributes: [
                  { key: 's', value: { stringValue: 'x' } },
                  { key: 'i', value: { intValue: 42 } },
                  { key: 'd', value: { doubleValue: 1.5 } },
                  { key: 'b', value: { boolValue: true } },
                  { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } } },
                  { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } } },
                  { key: 'raw', value: { bytesValue: Buffer.from('hi') } },
                ],
                events: [{ timeUnixNano: '1700000000100000000', name: 'retry', attributes: [{ key: 'faultline.attempt', value: { intValue: 2 } }] }],
                links: [{ traceId: bytes(LINK_TRACE), spanId: bytes(LINK_SPAN), attributes: [] }],
                status: { code: 2, message: 'boom' },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** … and in OTLP JSON (hex ids, integer enums, int64 as strings, lowerCamelCase). */
function jsonRequest() {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }, { key: 'host.name', value: { stringValue: 'h1' } }] },
        scopeSpans: [
          {
            scope: { name: 'test', version: '1' },
            spans: [
              {
                traceId: TRACE,
                spanId: SPAN,
                parentSpanId: PARENT,
                name: 'POST /pay',
                kind: 3,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000250500000',
                attributes: [
                  { key: 's', value: { stringValue: 'x' } },
                  { key: 'i', value: { intValue: '42' } },
                  { key: 'd', value: { doubleValue: 1.5 } },
                  { key: 'b', value: { boolValue: true } },
                  { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } } },
                  { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } } },
                  { key: 'raw', value: { bytesValue: Buffer.from('hi').toString('base64') } },
                ],
                events: [{ timeUnixNano: '1700000000100000000', name: 'retry', attributes: [{ key: 'faultline.attempt', value: { intValue: '2' } }] }],
                links: [{ traceId: LINK_TRACE, spanId: LINK_SPAN, attributes: [] }],
                status: { code: 2, message: 'boom' },
              },
            ],
          },
        ],
      },
    ],
  };
}

const encode = (o: object) => ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(o)).finish();
const limits = DEFAULT_INGEST_LIMITS;

function expectDecodeError(fn: () => unknown, reason: string, status = 400) {
  try {
    fn();
  } catch (e) {
    expect(isDecodeError(e)).toBe(true);
    expect((e as { reason: string }).reason).toBe(reason);
    expect((e as { status: number }).status).toBe(status);
    return;
  }
  throw new Error('expected a DecodeError');
}

const EXPECTED = {
  traceId: TRACE,
  spanId: SPAN,
  parentSpanId: PARENT,
  service: 'checkout',
  name: 'POST /pay',
  kind: 'client',
  startMs: 1700000000000,
  endMs: 1700000000250.5,
  durationMs: 250.5,
  status: 'error',
  statusMessage: 'boom',
  attributes: { s: 'x', i: 42, d: 1.5, b: true, arr: ['a', 1], kv: { k: false }, raw: 'aGk=' },
  resource: { 'service.name': 'checkout', 'host.name': 'h1' },
  events: [{ name: 'retry', timeMs: 1700000000100, attributes: { 'faultline.attempt': 2 } }],
  links: [{ traceId: LINK_TRACE, spanId: LINK_SPAN, attributes: {} }],
};

describe('OTLP decode', () => {
  it('maps a protobuf ExportTraceServiceRequest to SpanRecords', () => {
    const { spans, partial } = decodeProtobufRequest(encode(protoRequest()), limits);
    expect(partial).toBeNull();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.startMs).toBeCloseTo(EXPECTED.startMs, 3);
    expect({ ...spans[0]!, startMs: EXPECTED.startMs, endMs: EXPECTED.endMs, durationMs: EXPECTED.durationMs }).toEqual(EXPECTED);
    expect(spans[0]!.durationMs).toBeCloseTo(250.5, 3);
  });

  it('maps OTLP JSON to exactly what the protobuf form gives', () => {
    const fromJson = decodeJsonRequest(JSON.stringify(jsonRequest()), limits);
    const fromProto = decodeProtobufRequest(encode(protoRequest()), limits);
    expect(fromJson).toEqual(fromProto);
  });

  it('tolerates enum names and base64 ids in JSON, as generic protobuf JSON encoders write them', () => {
    const req = jsonRequest();
    const span = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]! as Record<string, unknown>;
    span.kind = 'SPAN_KIND_SERVER';
    span.status = { code: 'STATUS_CODE_OK' };
    span.traceId = bytes(TRACE).toString('base64');
    span.spanId = bytes(SPAN).toString('base64');
    const [s] = decodeJsonRequest(JSON.stringify(req), limits).spans;
    expect(s).toMatchObject({ traceId: TRACE, spanId: SPAN, kind: 'server', status: 'ok' });
  });

  it('keeps spans without service.name under unknown_service', () => {
    const req = jsonRequest();
    req.resourceSpans[0]!.resource.attributes = [];
    expect(decodeJsonRequest(JSON.stringify(req), limits).spans[0]!.service).toBe('unknown_service');
  });

  it('accepts an empty request', () => {
    expect(decodeProtobufRequest(new Uint8Array(0), limits)).toEqual({ spans: [], partial: null });
    expect(decodeJsonRequest('{}', limits)).toEqual({ spans: [], partial: null });
  });

  it.each([
    ['truncated protobuf', () => decodeProtobufRequest(encode(protoRequest()).slice(0, 40), limits), 'malformed'],
    ['garbage protobuf', () => decodeProtobufRequest(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), limits), 'malformed'],
    ['invalid JSON', () => decodeJsonRequest('{"resourceSpans": [', limits), 'malformed'],
    ['JSON of the wrong shape', () => decodeJsonRequest('{"resourceSpans": 5}', limits), 'malformed'],
    ['a JSON array body', () => decodeJsonRequest('[]', limits), 'malformed'],
    ['a span name that is not a string', () => decodeJsonRequest(JSON.stringify(withSpan({ name: 7 })), limits), 'malformed'],
    ['an unknown kind', () => decodeJsonRequest(JSON.stringify(withSpan({ kind: 'SIDEWAYS' })), limits), 'malformed'],
    ['a bad timestamp', () => decodeJsonRequest(JSON.stringify(withSpan({ startTimeUnixNano: 'soon' })), limits), 'malformed'],
    ['a short trace id', () => decodeJsonRequest(JSON.stringify(withSpan({ traceId: 'abcd' })), limits), 'invalid-id'],
    ['an all-zero trace id', () => decodeJsonRequest(JSON.stringify(withSpan({ traceId: '0'.repeat(32) })), limits), 'invalid-id'],
    ['a missing span id', () => decodeJsonRequest(JSON.stringify(withSpan({ spanId: '' })), limits), 'invalid-id'],
    ['a 9-byte protobuf span id', () => decodeProtobufRequest(encode(withProtoSpan({ spanId: Buffer.alloc(9, 1) })), limits), 'invalid-id'],
  ])('refuses %s whole', (_label, fn, reason) => expectDecodeError(fn, reason));

  it('drops what is over the limits and reports it in partialSuccess', () => {
    const small = resolveIngestLimits({ spansPerRequestMax: 2, attributesPerSpanMax: 2, attributeValueCharsMax: 5, eventsPerSpanMax: 1, linksPerSpanMax: 1, attributeDepthMax: 1 });
    const base = jsonRequest().resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    const span = {
      ...base,
      attributes: [
        { key: 'a', value: { stringValue: 'abcdefghij' } },
        { key: 'nest', value: { arrayValue: { values: [{ arrayValue: { values: [{ stringValue: 'deep' }] } }] } } },
        { key: 'c', value: { stringValue: 'dropped' } },
      ],
      events: [base.events[0], base.events[0], base.events[0]],
      links: [base.links[0], base.links[0]],
    };
    const spans = [1, 2, 3].map((n) => ({ ...span, spanId: `${SPAN.slice(0, 15)}${n}` }));
    const req = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] };
    const { spans: out, partial } = decodeJsonRequest(JSON.stringify(req), small);
    expect(out).toHaveLength(2);
    expect(out[0]!.attributes).toEqual({ a: 'abcde', nest: ['[nested too deep]'] });
    expect(out[0]!.events).toHaveLength(1);
    expect(out[0]!.links).toHaveLength(1);
    expect(partial?.rejectedSpans).toBe(1);
    expect(partial?.errorMessage).toMatch(/1 spans over the limit of 2 per request were rejected/);
    expect(partial?.errorMessage).toMatch(/attributes dropped/);
    expect(partial?.errorMessage).toMatch(/events dropped/);
  });

  it('drops an attribute whose key is over attributeKeyCharsMax, keeps one at the limit', () => {
    const base = jsonRequest().resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    const atLimit = 'k'.repeat(256);
    const span = {
      ...base,
      attributes: [
        { key: atLimit, value: { stringValue: 'kept' } },
        { key: 'x'.repeat(257), value: { stringValue: 'dropped' } },
      ],
    };
    const req = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [span] }] }] };
    const { spans: out, partial } = decodeJsonRequest(JSON.stringify(req), limits);
    expect(out[0]!.attributes).toEqual({ [atLimit]: 'kept' });
    expect(partial?.rejectedSpans ?? 0).toBe(0);
    expect(partial?.errorMessage).toMatch(/1 attributes dropped .*key over 256 chars/);
  });

  it('names the encodings of OTLP content types', () => {
    expect(encodingOf('application/x-protobuf')).toBe('protobuf');
    expect(encodingOf('application/protobuf')).toBe('protobuf');
    expect(encodingOf('application/json; charset=utf-8')).toBe('json');
    expect(encodingOf('text/plain')).toBeNull();
    expect(encodingOf(undefined)).toBeNull();
  });

  it('encodes an empty response when nothing was dropped, and partialSuccess otherwise', () => {
    expect(encodeExportResponse(null)).toHaveLength(0);
    const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(encodeExportResponse({ rejectedSpans: 3, errorMessage: 'x' })), { longs: Number });
    expect(decoded).toEqual({ partialSuccess: { rejectedSpans: 3, errorMessage: 'x' } });
  });
});

describe('gzip', () => {
  it('inflates a gzip body', async () => {
    const body = encode(protoRequest());
    expect(await gunzipBounded(gzipSync(body), 1024 * 1024)).toEqual(Buffer.from(body));
  });

  it('cuts a decompression bomb off at the limit without inflating it', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros, ~64 KiB compressed
    const before = process.memoryUsage().rss;
    await expect(gunzipBounded(bomb, 1024 * 1024)).rejects.toMatchObject({ reason: 'too-large', status: 413 });
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses a body that is not gzip', async () => {
    await expect(gunzipBounded(Buffer.from('not gzip at all'), 1024)).rejects.toMatchObject({ reason: 'bad-encoding', status: 400 });
  });
});

function withSpan(patch: Record<string, unknown>) {
  const req = jsonRequest();
  Object.assign(req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!, patch);
  return req;
}

function withProtoSpan(patch: Record<string, unknown>) {
  const req = protoRequest();
  Object.assign(req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!, patch);
  return req;
}
