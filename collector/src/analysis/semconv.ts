// Reads OpenTelemetry semantic-convention attributes under both their old and
// new names, so spans from any SDK version classify the same way.
import type { AttrValue, Attributes, SpanRecord } from '../model.js';

export function attrString(attrs: Attributes, ...keys: string[]): string | null {
  for (const key of keys) {
    const v: AttrValue | undefined = attrs[key];
    if (typeof v === 'string' && v.length > 0) return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return null;
}

export function attrNumber(attrs: Attributes, ...keys: string[]): number | null {
  for (const key of keys) {
    const v: AttrValue | undefined = attrs[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '') {
      const n = Number(v);
      if (Number.isFinite(n)) return n;
    }
  }
  return null;
}

export function httpStatusCode(span: SpanRecord): number | null {
  return attrNumber(span.attributes, 'http.response.status_code', 'http.status_code');
}

/** gRPC codes that mean the server failed (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS). */
const GRPC_SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);

export function isCallerKind(span: SpanRecord): boolean {
  return span.kind === 'client' || span.kind === 'producer';
}

/**
 * Whether the span failed. An explicit status wins; an unset status falls back
 * to the protocol's own signal, as older instrumentations leave it unset.
 */
export function isErrorSpan(span: SpanRecord): boolean {
  if (span.status === 'error') return true;
  if (span.status === 'ok') return false;
  const http = httpStatusCode(span);
  if (http !== null && http >= 500) return true;
  const grpc = attrNumber(span.attributes, 'rpc.grpc.status_code');
  if (grpc !== null && grpc !== 0) {
    if (isCallerKind(span) || GRPC_SERVER_ERRORS.has(grpc)) return true;
  }
  const errorType = attrString(span.attributes, 'error.type');
  return errorType !== null && errorType !== '_OTHER_NONE';
}

const TIMEOUT_PATTERN = /time[ _-]?out|timed out|deadline/i;

/** A failure that reads as a timeout even without the SDK's `timeout` event (other SDKs, gRPC DEADLINE_EXCEEDED). */
export function looksLikeTimeout(span: SpanRecord): boolean {
  if (attrNumber(span.attributes, 'rpc.grpc.status_code') === 4) return true;
  const errorType = attrString(span.attributes, 'error.type', 'exception.type');
  if (errorType !== null && TIMEOUT_PATTERN.test(errorType)) return true;
  return span.status === 'error' && TIMEOUT_PATTERN.test(span.statusMessage);
}

function urlHost(raw: string): { host: string; port: string } | null {
  try {
    const url = new URL(raw);
    return url.hostname ? { host: url.hostname, port: url.port } : null;
  } catch {
    return null;
  }
}

/** The callee's network address (`host:port` when known) for matching calls to the service behind it. */
export function calleeAddress(span: SpanRecord): string | null {
  const a = span.attributes;
  let host = attrString(a, 'server.address', 'net.peer.name', 'net.host.name');
  let port = attrString(a, 'server.port', 'net.peer.port');
  if (host === null || port === null) {
    // Parsing a URL is the expensive part: only when the attributes leave a gap.
    const url = attrString(a, 'url.full', 'http.url');
    const fromUrl = url ? urlHost(url) : null;
    host ??= fromUrl?.host ?? null;
    port ??= fromUrl?.port || null;
  }
  if (host === null) return null;
  return port ? `${host}:${port}` : host;
}
