// Hostile inputs for POST /v1/traces and /api/*: generators for fast-check and a
// tiny protobuf writer for shapes protobufjs would refuse to encode.
import { randomBytes } from 'node:crypto';
import { createGzip } from 'node:zlib';
import fc from 'fast-check';
import type { SpanRecord } from '../../src/model.js';
import { otlpJson, otlpProtobuf } from '../collector.js';
import { span } from '../helpers.js';

// --- protobuf wire format -------------------------------------------------

export function varint(n: number | bigint): Buffer {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

/** A length-delimited field. */
export function field(num: number, payload: Buffer | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([varint((num << 3) | 2), varint(bytes.length), bytes]);
}

export function fixed64Field(num: number, value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return Buffer.concat([varint((num << 3) | 1), b]);
}

export function varintField(num: number, value: number): Buffer {
  return Buffer.concat([varint(num << 3), varint(value)]);
}

const anyString = (s: string) => field(1, s);
const keyValue = (key: string, anyValue: Buffer) => Buffer.concat([field(1, key), field(2, anyValue)]);

/** A request with one span; `extra` is appended to the span message (more fields, even repeated ones). */
export function requestWithSpan(opts: { traceId?: Buffer; spanId?: Buffer; extra?: Buffer; service?: string } = {}): Buffer {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const spanMsg = Buffer.concat([
    field(1, opts.traceId ?? randomBytes(16)),
    field(2, opts.spanId ?? randomBytes(8)),
    field(5, 'fuzz-op'),
    varintField(6, 2),
    fixed64Field(7, nowNs),
    fixed64Field(8, nowNs + 1_000_000n),
    opts.extra ?? Buffer.alloc(0),
  ]);
  const resource = field(1, keyValue('service.name', anyString(opts.service ?? 'fuzz-svc')));
  const resourceSpans = Buffer.concat([field(1, resource), field(2, field(2, spanMsg))]);
  return field(1, resourceSpans);
}

/**
 * An AnyValue nested `depth` times through arrayValue, written outside-in in one
 * pass (no quadratic copying) so that depths in the tens of thousands are cheap.
 */
export function deepAnyValue(depth: number): Buffer {
  const inner = anyString('x');
  const lengths: number[] = []; // lengths[i] = length of the AnyValue at nesting level i (0 = innermost)
  let len = inner.length;
  for (let i = 0; i < depth; i++) {
    lengths.push(len);
    const arrayLen = 1 + varint(len).length + len; // ArrayValue { values(1): AnyValue }
    len = 1 + varint(arrayLen).length + arrayLen; // AnyValue { array_value(5): ArrayValue }
  }
  const parts: Buffer[] = [];
  for (let i = depth - 1; i >= 0; i--) {
    const child = lengths[i]!;
    const arrayLen = 1 + varint(child).length + child;
    parts.push(Buffer.from([0x2a]), varint(arrayLen), Buffer.from([0x0a]), varint(child));
  }
  parts.push(inner);
  return Buffer.concat(parts);
}

export function deepAttributeRequest(depth: number): Buffer {
  return requestWithSpan({ extra: field(9, keyValue('deep', deepAnyValue(depth))) });
}

/** OTLP JSON with an attribute value nested `depth` times. */
export function deepJsonRequest(depth: number): string {
  const value = '{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"x"}' + ']}}'.repeat(depth);
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const now = `${Date.now()}000000`;
  return (
    `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"fuzz-deep"}}]},` +
    `"scopeSpans":[{"spans":[{"traceId":"${traceId}","spanId":"${spanId}","name":"deep","kind":2,` +
    `"startTimeUnixNano":"${now}","endTimeUnixNano":"${now}","attributes":[{"key":"deep","value":${value}}]}]}]}]}`
  );
}

// --- valid requests --------------------------------------------------------

const attrValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);

/** A few well-formed spans of one trace with arbitrary names and attributes. */
export const validSpans: fc.Arbitrary<SpanRecord[]> = fc
  .record({
    services: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 }),
    names: fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 5 }),
    attributes: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), attrValue, { maxKeys: 6 }),
    status: fc.constantFrom('ok', 'error', 'unset') as fc.Arbitrary<SpanRecord['status']>,
    kind: fc.constantFrom('server', 'client', 'internal', 'producer', 'consumer', 'unspecified') as fc.Arbitrary<SpanRecord['kind']>,
  })
  .map(({ services, names, attributes, status, kind }) => {
    const traceId = randomBytes(16).toString('hex');
    return names.map((name, i) =>
      span({ service: services[i % services.length]!, traceId, name, kind: i === 0 ? 'server' : kind, status, attributes }),
    );
  });

export const validProtobuf = validSpans.map((spans) => Buffer.from(otlpProtobuf(spans)));
export const validJson = validSpans.map((spans) => otlpJson(spans));

// --- mutations ---------------------------------------------------------------

export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x0a, 0x12, 0x1a, 0x22) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
);

export function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    const at = Math.floor(m.at * b.length);
    switch (m.kind) {
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'flip':
        if (b.length > 0) b[at] = b[at]! ^ (1 << m.bit);
        break;
      case 'set':
        if (b.length > 0) b[at] = m.value;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
      case 'duplicate':
        b = Buffer.concat([b.subarray(0, at + m.length), b.subarray(at)]);
        break;
    }
  }
  return b;
}

// --- JSON with wrong types -------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const oddValues: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(
    null, '', '0', '-1', '1e400', 'NaN', 'zz', '0x10', 18446744073709551616, -1, 1.5, true, [], {},
    'ffffffffffffffffffffffffffffffffff', '00000000000000000000000000000000', '0000000000000000', 'AAECAwQFBgcICQoLDA0ODw==',
  ),
  fc.string({ maxLength: 64 }),
);

/** Every path to a value in the document. */
function paths(doc: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(doc)) doc.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) paths(v, [...prefix, k], out);
  return out;
}

export type JsonEdit = { pick: number; kind: 'replace'; value: Json } | { pick: number; kind: 'delete' } | { pick: number; kind: 'rename'; key: string };

export const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  fc.record({ pick: fc.nat(), kind: fc.constant('replace' as const), value: oddValues }),
  fc.record({ pick: fc.nat(), kind: fc.constant('delete' as const) }),
  fc.record({ pick: fc.nat(), kind: fc.constant('rename' as const), key: fc.string({ maxLength: 12 }) }),
);

export function applyJsonEdits(doc: Json, edits: readonly JsonEdit[]): Json {
  let root: Json = structuredClone(doc);
  for (const edit of edits) {
    const all = paths(root);
    const path = all[edit.pick % all.length]!;
    if (path.length === 0) {
      if (edit.kind === 'replace') root = edit.value;
      continue;
    }
    let parent: Json = root;
    for (const step of path.slice(0, -1)) parent = (parent as Record<string, Json>)[step as string]!;
    const last = path[path.length - 1]!;
    const container = parent as Record<string | number, Json>;
    if (edit.kind === 'replace') container[last] = structuredClone(edit.value);
    else if (edit.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete container[last];
    } else if (!Array.isArray(parent)) {
      container[edit.key] = container[last]!;
      delete container[last];
    }
  }
  return root;
}

// --- bombs -----------------------------------------------------------------

/** gzip of `inflatedBytes` zero bytes, compressed as a stream (never held inflated in memory). */
export async function gzipBomb(inflatedBytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (d: Buffer) => out.push(d));
  const done = new Promise<void>((resolve, reject) => {
    gzip.once('end', resolve);
    gzip.once('error', reject);
  });
  const chunk = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < inflatedBytes; written += chunk.length) {
    if (!gzip.write(chunk)) await new Promise((r) => gzip.once('drain', r));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

// --- query parameters ------------------------------------------------------

const PARAM_NAMES = [
  'from', 'to', 'limit', 'service', 'operation', 'status', 'minDurationMs', 'access_token', 'traceId', 'q',
  'stepMs', 'source', 'target', 'namespace', 'correlationId', 'attr', 'maxDurationMs',
];

const paramValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', 'NaN', 'Infinity', '-Infinity', '1e309', '-0', '0x1F', ' 1', '1 ', '9007199254740993', 'error', 'ok', 'OK', 'null', '[]', '{}'),
  fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.constant(String(Date.now())),
);

/** A raw query string: encoded pairs, repeated keys, qs-style brackets and broken percent-escapes. */
export const queryString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom(...PARAM_NAMES), paramValue).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
      fc.tuple(fc.string({ maxLength: 10 }), paramValue).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
      fc.constantFrom('from[]=1', 'to[a]=2', 'limit[0][1][2][3][4][5][6]=3', 'service[__proto__]=x', '__proto__[x]=1', 'constructor[prototype]=1', '%', 'from=%zz', 'to=%E0%A4%A', 'service=%00', '&&&', '==', 'limit'),
    ),
    { maxLength: 6 },
  )
  .map((pairs) => pairs.join('&'));

export const apiPath: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('/api/services', '/api/graph', '/api/traces', '/api/root-causes', '/api/config', '/api/nope', '/api/traces/', '/api/series', '/api/annotations', '/api/breakers', '/api/namespaces'),
  fc.oneof(fc.string({ maxLength: 40 }), fc.constant(randomBytes(16).toString('hex')), fc.constant('%'), fc.constant('%zz'), fc.constant('..%2f..%2fetc%2fpasswd'))
    .map((id) => `/api/traces/${/^[\x21-\x7e]*$/.test(id) && !/[?#/]/.test(id) ? id : encodeURIComponent(id)}`),
);

/** POST /api/annotations bodies: mostly near-valid JSON objects with hostile field values, some not JSON at all. */
export const annotationBody: fc.Arbitrary<string> = fc.oneof(
  fc.record(
    {
      timeMs: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 }), fc.constant(null), fc.constant(9e15)),
      endMs: fc.oneof(fc.integer(), fc.constant(-1), fc.string({ maxLength: 5 })),
      kind: fc.oneof(fc.constantFrom('deploy', 'route.change', 'a'.repeat(65), '', 'Deploy', 'x y'), fc.string({ maxLength: 70 })),
      service: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
      text: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('t'.repeat(1001)), fc.constant(''), fc.integer()),
      attributes: fc.oneof(fc.dictionary(fc.string({ maxLength: 130 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer()))), fc.constant([]), fc.string()),
      __proto__: fc.constant({ polluted: 1 }),
    },
    { requiredKeys: [] },
  ).map((o) => JSON.stringify(o)),
  fc.string({ maxLength: 60 }),
  fc.constantFrom('{', '[]', 'null', '1', '"x"', '{"kind":"deploy","text":"ok"}', `{"kind":"deploy","text":"${'x'.repeat(20_000)}"}`),
);
