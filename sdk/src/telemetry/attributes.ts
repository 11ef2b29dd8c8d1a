// Attribute keys the SDK writes; the collector reads several of them.
export const ATTR_CORRELATION_ID = 'faultline.correlation_id';
export const ATTR_PEER_SERVICE = 'peer.service';
export const ATTR_HTTP_METHOD = 'http.request.method';
export const ATTR_HTTP_STATUS = 'http.response.status_code';
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_HTTP_RESEND_COUNT = 'http.request.resend_count';
export const ATTR_URL_FULL = 'url.full';
export const ATTR_URL_PATH = 'url.path';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_DEADLINE_MS = 'faultline.deadline_ms';

// Span events and their attributes: the wire contract (CONTRACT.md).
export const EVENT_RETRY = 'retry';
export const EVENT_BUDGET_EXHAUSTED = 'retry.budget_exhausted';
export const EVENT_TIMEOUT = 'timeout';
export const EVENT_BREAKER_STATE = 'breaker.state';
export const EVENT_BREAKER_REJECTED = 'breaker.rejected';
export const EVENT_BULKHEAD_REJECTED = 'bulkhead.rejected';
export const EVENT_FALLBACK = 'fallback';
export const EVENT_IDEMPOTENCY_REPLAYED = 'idempotency.replayed';
export const EVENT_FAULT_INJECTED = 'fault.injected';

export const ATTR_ATTEMPT = 'faultline.attempt';
export const ATTR_DELAY_MS = 'faultline.delay_ms';
export const ATTR_REASON = 'faultline.reason';
export const ATTR_TIMEOUT_MS = 'faultline.timeout_ms';
export const ATTR_SCOPE = 'faultline.scope';
export const ATTR_BREAKER = 'faultline.breaker';
export const ATTR_FROM = 'faultline.from';
export const ATTR_TO = 'faultline.to';
export const ATTR_FAULT = 'faultline.fault';

/** Caps attribute strings taken from requests, which may be hostile. */
export function clip(value: string, maxChars = 1024): string {
  return value.length > maxChars ? value.slice(0, maxChars) : value;
}
