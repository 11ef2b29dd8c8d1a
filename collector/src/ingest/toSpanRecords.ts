// Maps an ExportTraceServiceRequest to SpanRecords. The input is either a protobufjs
// message (bytes ids, Long times) or parsed OTLP JSON (hex ids, string times, enums as
// integers or names): the same walk serves both, reading only own properties so that
// protobufjs defaults on the prototype and absent JSON keys look alike.
import type { AttrValue, Attributes, SpanEventRecord, SpanKindName, SpanLinkRecord, SpanRecord, SpanStatus } from '../model.js';
import { DecodeError } from './DecodeError.js';
import { isZeroId, readId } from './ids.js';
import type { IngestLimits } from './limits.js';
import type { PartialSuccess } from './schema.js';

export interface DecodedRequest {
  spans: SpanRecord[];
  /** null when nothing was dropped; otherwise what goes into the OTLP partialSuccess. */
  partial: PartialSuccess | null;
}

interface Drops {
  rejectedSpans: number;
  attributes: number;
  values: number;
  events: number;
  links: number;
}

type Obj = Record<string, unknown>;
/** Error paths are built only when there is an error: the span walk is the hot loop of ingest. */
type LazyPath = string | (() => string);
const at = (path: LazyPath): string => (typeof path === 'string' ? path : path());
const sub = (path: LazyPath, suffix: string): LazyPath => (typeof path === 'string' ? `${path}${suffix}` : () => `${path()}${suffix}`);
// Module-level (not a closure made per call): tsx names every local arrow function, which costs.
function valuePath(listPath: LazyPath, index: number, suffix: string): LazyPath {
  return () => `${at(listPath)}[${index}].value${suffix}`;
}

const KINDS: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const KIND_NAMES: Record<string, SpanKindName> = {
  SPAN_KIND_UNSPECIFIED: 'unspecified',
  SPAN_KIND_INTERNAL: 'internal',
  SPAN_KIND_SERVER: 'server',
  SPAN_KIND_CLIENT: 'client',
  SPAN_KIND_PRODUCER: 'producer',
  SPAN_KIND_CONSUMER: 'consumer',
};
const STATUS_BY_CODE: Record<string, SpanStatus> = {
  '0': 'unset',
  '1': 'ok',
  '2': 'error',
  STATUS_CODE_UNSET: 'unset',
  STATUS_CODE_OK: 'ok',
  STATUS_CODE_ERROR: 'error',
};

function field(o: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function asObject(v: unknown, path: LazyPath): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new DecodeError('malformed', `${at(path)} must be an object`);
  return v as Obj;
}

function asArray(v: unknown, path: LazyPath): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError('malformed', `${at(path)} must be an array`);
  return v;
}

function asString(v: unknown, path: LazyPath): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new DecodeError('malformed', `${at(path)} must be a string`);
  return v;
}

function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

interface LongLike {
  low: number;
  high: number;
}

function isLongLike(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as LongLike).low === 'number' && typeof (v as LongLike).high === 'number';
}

/** fixed64 nanoseconds (Long, number or decimal string) → epoch ms with sub-ms fraction. */
function nanosToMs(v: unknown, path: LazyPath): number {
  if (v === undefined || v === null) return 0;
  if (isLongLike(v)) return ((v.high >>> 0) * 4294967296 + (v.low >>> 0)) / 1e6;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new DecodeError('malformed', `${at(path)} must be a non-negative integer`);
    return v / 1e6;
  }
  if (typeof v === 'string') {
    if (!/^\d{1,20}$/.test(v)) throw new DecodeError('malformed', `${at(path)} must be a decimal integer string`);
    return Number(v) / 1e6;
  }
  throw new DecodeError('malformed', `${at(path)} must be an integer`);
}

function int64ToValue(v: unknown): AttrValue {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  if (isLongLike(v)) {
    const signed = v.high * 4294967296 + (v.low >>> 0);
    return Number.isSafeInteger(signed) ? signed : String(signed);
  }
  return null;
}

class Mapper {
  readonly drops: Drops = { rejectedSpans: 0, attributes: 0, values: 0, events: 0, links: 0 };
  constructor(private readonly limits: IngestLimits) {}

  anyValue(v: unknown, depth: number, listPath: LazyPath, index: number): AttrValue {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'object' || Array.isArray(v)) throw new DecodeError('malformed', `${at(valuePath(listPath, index, ''))} must be an object`);
    const o = v as Obj;
    const s = field(o, 'stringValue');
    if (s !== undefined && s !== null) {
      const str = typeof s === 'string' ? s : asString(s, valuePath(listPath, index, '.stringValue'));
      if (str.length > this.limits.attributeValueCharsMax) this.drops.values++;
      return cut(str, this.limits.attributeValueCharsMax);
    }
    const b = field(o, 'boolValue');
    if (b !== undefined && b !== null) return b === true || b === 'true';
    const i = field(o, 'intValue');
    if (i !== undefined && i !== null) return int64ToValue(i);
    const d = field(o, 'doubleValue');
    if (d !== undefined && d !== null) {
      const n = typeof d === 'number' ? d : Number(d);
      return Number.isFinite(n) ? n : String(d);
    }
    const bytes = field(o, 'bytesValue');
    if (bytes !== undefined && bytes !== null) {
      const b64 = bytes instanceof Uint8Array ? Buffer.from(bytes).toString('base64') : asString(bytes, valuePath(listPath, index, '.bytesValue'));
      return cut(b64, this.limits.attributeValueCharsMax);
    }
    const rawArr = field(o, 'arrayValue');
    const arr = rawArr === undefined || rawArr === null ? undefined : asObject(rawArr, valuePath(listPath, index, '.arrayValue'));
    if (arr) {
      if (depth >= this.limits.attributeDepthMax) {
        this.drops.values++;
        return '[nested too deep]';
      }
      const valuesPath = valuePath(listPath, index, '.arrayValue.values');
      const values = asArray(field(arr, 'values'), valuesPath);
      if (values.length > this.limits.attributesPerSpanMax) this.drops.values++;
      return values.slice(0, this.limits.attributesPerSpanMax).map((x, k) => this.anyValue(x, depth + 1, valuesPath, k));
    }
    const rawKv = field(o, 'kvlistValue');
    const kv = rawKv === undefined || rawKv === null ? undefined : asObject(rawKv, valuePath(listPath, index, '.kvlistValue'));
    if (kv) {
      if (depth >= this.limits.attributeDepthMax) {
        this.drops.values++;
        return '[nested too deep]';
      }
      return this.attributes(field(kv, 'values'), depth + 1, valuePath(listPath, index, '.kvlistValue.values'));
    }
    return null;
  }

  attributes(list: unknown, depth: number, path: LazyPath): Attributes {
    const items = asArray(list, path);
    const out: Attributes = {};
    let kept = 0;
    for (let k = 0; k < items.length; k++) {
      const item = items[k];
      if (item === undefined || item === null) continue;
      // Paths for error messages are only built when there is an error: this loop is hot.
      if (typeof item !== 'object' || Array.isArray(item)) throw new DecodeError('malformed', `${at(path)}[${k}] must be an object`);
      const kv = item as Obj;
      const rawKey = field(kv, 'key');
      if (rawKey !== undefined && rawKey !== null && typeof rawKey !== 'string') throw new DecodeError('malformed', `${at(path)}[${k}].key must be a string`);
      const key = (rawKey as string | undefined) ?? '';
      if (kept >= this.limits.attributesPerSpanMax || key.length > this.limits.attributeKeyCharsMax || key === '' || key === '__proto__') {
        this.drops.attributes++;
        continue;
      }
      if (!Object.prototype.hasOwnProperty.call(out, key)) kept++;
      out[key] = this.anyValue(field(kv, 'value'), depth, path, k);
    }
    return out;
  }

  kind(v: unknown, path: LazyPath): SpanKindName {
    if (v === undefined || v === null) return 'unspecified';
    if (typeof v === 'number' && Number.isInteger(v)) return KINDS[v] ?? 'unspecified';
    if (typeof v === 'string') {
      const named = KIND_NAMES[v];
      if (named) return named;
      if (/^\d+$/.test(v)) return KINDS[Number(v)] ?? 'unspecified';
    }
    throw new DecodeError('malformed', `${at(path)} must be a SpanKind`);
  }

  status(v: unknown, path: LazyPath): { status: SpanStatus; message: string } {
    const o = asObject(v, path);
    if (!o) return { status: 'unset', message: '' };
    const code = field(o, 'code');
    const status = code === undefined || code === null ? 'unset' : STATUS_BY_CODE[String(code)];
    if (!status) throw new DecodeError('malformed', `${at(path)}.code must be a StatusCode`);
    return { status, message: cut(asString(field(o, 'message'), sub(path, '.message')), this.limits.nameCharsMax) };
  }

  events(list: unknown, path: LazyPath): SpanEventRecord[] {
    const items = asArray(list, path);
    if (items.length === 0) return [];
    if (items.length > this.limits.eventsPerSpanMax) this.drops.events += items.length - this.limits.eventsPerSpanMax;
    return items.slice(0, this.limits.eventsPerSpanMax).map((e, k) => {
      const p = sub(path, `[${k}]`);
      const o = asObject(e, p) ?? {};
      return {
        name: cut(asString(field(o, 'name'), sub(p, '.name')), this.limits.nameCharsMax),
        timeMs: nanosToMs(field(o, 'timeUnixNano'), sub(p, '.timeUnixNano')),
        attributes: this.attributes(field(o, 'attributes'), 0, sub(p, '.attributes')),
      };
    });
  }

  links(list: unknown, path: LazyPath): SpanLinkRecord[] {
    const items = asArray(list, path);
    if (items.length === 0) return [];
    if (items.length > this.limits.linksPerSpanMax) this.drops.links += items.length - this.limits.linksPerSpanMax;
    const out: SpanLinkRecord[] = [];
    items.slice(0, this.limits.linksPerSpanMax).forEach((l, k) => {
      const p = sub(path, `[${k}]`);
      const o = asObject(l, p) ?? {};
      const traceId = readId(field(o, 'traceId'), 16, sub(p, '.traceId'));
      const spanId = readId(field(o, 'spanId'), 8, sub(p, '.spanId'));
      if (!traceId || !spanId) throw new DecodeError('invalid-id', `${at(p)} needs a traceId and a spanId`);
      out.push({ traceId, spanId, attributes: this.attributes(field(o, 'attributes'), 0, sub(p, '.attributes')) });
    });
    return out;
  }

  span(s: unknown, service: string, resource: Attributes, path: LazyPath): SpanRecord {
    const o = asObject(s, path);
    if (!o) throw new DecodeError('malformed', `${at(path)} must be a span`);
    const traceId = readId(field(o, 'traceId'), 16, sub(path, '.traceId'));
    const spanId = readId(field(o, 'spanId'), 8, sub(path, '.spanId'));
    if (!traceId || isZeroId(traceId)) throw new DecodeError('invalid-id', `${at(path)}.traceId is missing or all zero`);
    if (!spanId || isZeroId(spanId)) throw new DecodeError('invalid-id', `${at(path)}.spanId is missing or all zero`);
    let parentSpanId = readId(field(o, 'parentSpanId'), 8, sub(path, '.parentSpanId'));
    if (isZeroId(parentSpanId)) parentSpanId = '';
    const startMs = nanosToMs(field(o, 'startTimeUnixNano'), sub(path, '.startTimeUnixNano'));
    const endMs = nanosToMs(field(o, 'endTimeUnixNano'), sub(path, '.endTimeUnixNano'));
    const { status, message } = this.status(field(o, 'status'), sub(path, '.status'));
    return {
      traceId,
      spanId,
      parentSpanId,
      service,
      name: cut(asString(field(o, 'name'), sub(path, '.name')), this.limits.nameCharsMax),
      kind: this.kind(field(o, 'kind'), sub(path, '.kind')),
      startMs,
      endMs: Math.max(endMs, startMs),
      durationMs: Math.max(0, endMs - startMs),
      status,
      statusMessage: message,
      attributes: this.attributes(field(o, 'attributes'), 0, sub(path, '.attributes')),
      resource,
      events: this.events(field(o, 'events'), sub(path, '.events')),
      links: this.links(field(o, 'links'), sub(path, '.links')),
    };
  }
}

function partialOf(drops: Drops, limits: IngestLimits): PartialSuccess | null {
  const notes: string[] = [];
  if (drops.rejectedSpans) notes.push(`${drops.rejectedSpans} spans over the limit of ${limits.spansPerRequestMax} per request were rejected`);
  if (drops.attributes) notes.push(`${drops.attributes} attributes dropped (over ${limits.attributesPerSpanMax} per span or key over ${limits.attributeKeyCharsMax} chars)`);
  if (drops.values) notes.push(`${drops.values} attribute values cut (over ${limits.attributeValueCharsMax} chars or nested over ${limits.attributeDepthMax} levels)`);
  if (drops.events) notes.push(`${drops.events} events dropped (over ${limits.eventsPerSpanMax} per span)`);
  if (drops.links) notes.push(`${drops.links} links dropped (over ${limits.linksPerSpanMax} per span)`);
  return notes.length ? { rejectedSpans: drops.rejectedSpans, errorMessage: notes.join('; ') } : null;
}

/** Walks an ExportTraceServiceRequest (protobufjs message or OTLP JSON) into SpanRecords. */
export function toSpanRecords(request: unknown, limits: IngestLimits): DecodedRequest {
  const root = asObject(request, 'request');
  if (!root) throw new DecodeError('malformed', 'request must be an ExportTraceServiceRequest object');
  const mapper = new Mapper(limits);
  const spans: SpanRecord[] = [];
  const resourceSpans = asArray(field(root, 'resourceSpans'), 'resourceSpans');
  resourceSpans.forEach((rs, r) => {
    const rPath = `resourceSpans[${r}]`;
    const rso = asObject(rs, rPath) ?? {};
    const res = asObject(field(rso, 'resource'), `${rPath}.resource`);
    const resource = res ? mapper.attributes(field(res, 'attributes'), 0, `${rPath}.resource.attributes`) : {};
    const name = resource['service.name'];
    const service = typeof name === 'string' && name !== '' ? name : 'unknown_service';
    asArray(field(rso, 'scopeSpans'), `${rPath}.scopeSpans`).forEach((ss, s) => {
      const sPath = `${rPath}.scopeSpans[${s}]`;
      const sso = asObject(ss, sPath) ?? {};
      asArray(field(sso, 'spans'), `${sPath}.spans`).forEach((span, k) => {
        if (spans.length >= limits.spansPerRequestMax) {
          mapper.drops.rejectedSpans++;
          return;
        }
        spans.push(mapper.span(span, service, resource, () => `${sPath}.spans[${k}]`));
      });
    });
  });
  return { spans, partial: partialOf(mapper.drops, limits) };
}
