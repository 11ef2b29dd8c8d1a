// Span blocks (SQLite schema 3): up to BLOCK_SPANS spans of one write transaction, grouped by
// trace, as one deflated value. A span is written once inside a block and read back by
// inflating its block (a few tens of kB); the per-trace index row (trace_spans) says which
// blocks hold a trace. Deflate gains most over a few hundred spans (attribute keys, services,
// names repeat), so blocks list trace ids and resources once and spans as positional tuples,
// with times relative to the block's first start where that is exact.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SpanRecord } from '../../model.js';

/** Block format version, first byte of every block: a later layout can tell old blocks apart. */
const BLOCK_FORMAT = 1;
/** Deflate level: on 256-span blocks, 6 costs about twice the CPU of 2 for ~6 % fewer bytes (30.4 vs 32.2 a span). */
const DEFLATE_LEVEL = 2;
/** Spans a block holds at most: large enough to compress well, small enough to inflate for one trace. */
export const BLOCK_SPANS = 256;

const KINDS: SpanRecord['kind'][] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUSES: SpanRecord['status'][] = ['unset', 'ok', 'error'];

/** A time as stored: offset from the block's base when that round-trips exactly, else [absolute]. */
type Time = number | [number];
type Tuple = [number, string, string, string, string, number, Time, Time | 0, number, number, string, SpanRecord['attributes'], number, SpanRecord['events'] | 0, SpanRecord['links'] | 0];

function relative(ms: number, base: number): Time {
  const d = ms - base;
  return base + d === ms ? d : [ms];
}
const absolute = (t: Time, base: number) => (typeof t === 'number' ? base + t : t[0]);

/** A lowercase hex id as the bytes SQLite keys it by; anything else (never from ingest) as text. */
export function idKey(id: string): Buffer | string {
  return id.length > 0 && id.length % 2 === 0 && /^[0-9a-f]+$/.test(id) ? Buffer.from(id, 'hex') : id;
}

export function idOfKey(key: unknown): string {
  return Buffer.isBuffer(key) || key instanceof Uint8Array ? Buffer.from(key as Uint8Array).toString('hex') : String(key);
}

/** Spans (grouped by trace by the caller) → one block. */
export function encodeBlock(spans: readonly SpanRecord[]): Buffer {
  const traceIds: string[] = [];
  const traceIndex = new Map<string, number>();
  const resources: string[] = [];
  const resourceIndex = new Map<string, number>();
  const byObject = new Map<object, number>();
  const base = spans[0]?.startMs ?? 0;
  const tuples: Tuple[] = [];
  for (const s of spans) {
    let t = traceIndex.get(s.traceId);
    if (t === undefined) {
      t = traceIds.push(s.traceId) - 1;
      traceIndex.set(s.traceId, t);
    }
    // Identical resources that are distinct objects (decoded from different requests) are merged by text.
    let r = byObject.get(s.resource);
    if (r === undefined) {
      const text = JSON.stringify(s.resource);
      r = resourceIndex.get(text);
      if (r === undefined) {
        r = resources.push(text) - 1;
        resourceIndex.set(text, r);
      }
      byObject.set(s.resource, r);
    }
    const start = relative(s.startMs, base);
    tuples.push([
      t, s.spanId, s.parentSpanId, s.service, s.name, KINDS.indexOf(s.kind), start, s.startMs + s.durationMs === s.endMs ? 0 : relative(s.endMs, base), s.durationMs,
      STATUSES.indexOf(s.status), s.statusMessage, s.attributes, r, s.events.length ? s.events : 0, s.links.length ? s.links : 0,
    ]);
  }
  const text = `[${base},${JSON.stringify(traceIds)},[${resources.join(',')}],${JSON.stringify(tuples)}]`;
  const body = deflateRawSync(Buffer.from(text), { level: DEFLATE_LEVEL });
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = BLOCK_FORMAT;
  body.copy(out, 1);
  return out;
}

/**
 * One block → its spans of the trace `only` (every span when absent). `resources` (optional,
 * per query) shares one parsed resource between blocks with the same resource text.
 */
export function decodeBlock(block: Uint8Array, only?: string, resources?: Map<string, SpanRecord['resource']>): SpanRecord[] {
  if (block[0] !== BLOCK_FORMAT) throw new Error(`span block of unknown format ${block[0]}`);
  const [base, traceIds, resourceList, tuples] = JSON.parse(inflateRawSync(block.subarray(1)).toString()) as [number, string[], SpanRecord['resource'][], Tuple[]];
  const shared = resourceList.map((r) => {
    if (!resources) return r;
    const text = JSON.stringify(r);
    const known = resources.get(text);
    if (known) return known;
    resources.set(text, r);
    return r;
  });
  const want = only === undefined ? -1 : traceIds.indexOf(only);
  if (only !== undefined && want < 0) return [];
  const out: SpanRecord[] = [];
  for (const t of tuples) {
    if (want >= 0 && t[0] !== want) continue;
    const startMs = absolute(t[6], base);
    out.push({
      traceId: traceIds[t[0]]!,
      spanId: t[1],
      parentSpanId: t[2],
      service: t[3],
      name: t[4],
      kind: KINDS[t[5]] ?? 'unspecified',
      startMs,
      endMs: t[7] === 0 ? startMs + t[8] : absolute(t[7], base),
      durationMs: t[8],
      status: STATUSES[t[9]] ?? 'unset',
      statusMessage: t[10],
      attributes: t[11],
      resource: shared[t[12]] ?? {},
      events: t[13] === 0 ? [] : t[13],
      links: t[14] === 0 ? [] : t[14],
    });
  }
  return out;
}

/** Span ids as stored per trace: each a length byte (high bit: text, not hex bytes) and its bytes. */
export function appendSpanIds(existing: Uint8Array | null, spanIds: readonly string[]): Buffer {
  const parts: Buffer[] = existing ? [Buffer.from(existing)] : [];
  for (const id of spanIds) {
    const key = idKey(id);
    const bytes = typeof key === 'string' ? Buffer.from(key) : key;
    parts.push(Buffer.from([Math.min(bytes.length, 127) | (typeof key === 'string' ? 128 : 0)]), bytes.subarray(0, 127));
  }
  return Buffer.concat(parts);
}

export function spanIdsOf(stored: Uint8Array | null): Set<string> {
  const out = new Set<string>();
  if (!stored) return out;
  const buf = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  for (let at = 0; at < buf.length; ) {
    const len = buf[at]! & 127;
    const bytes = buf.subarray(at + 1, at + 1 + len);
    out.add(buf[at]! & 128 ? bytes.toString() : bytes.toString('hex'));
    at += 1 + len;
  }
  return out;
}

/** Groups spans by trace, in first-seen order. */
export function byTrace(spans: readonly SpanRecord[]): Map<string, SpanRecord[]> {
  const out = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const list = out.get(s.traceId);
    if (list) list.push(s);
    else out.set(s.traceId, [s]);
  }
  return out;
}
