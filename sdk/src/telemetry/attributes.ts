// Attribute keys the SDK writes; the collector reads several of them. Standard keys come from
// @opentelemetry/semantic-conventions (stable entry point).
import {
  ATTR_ERROR_TYPE as SEMCONV_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE as SEMCONV_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS as SEMCONV_SERVER_ADDRESS,
  ATTR_SERVER_PORT as SEMCONV_SERVER_PORT,
  ATTR_URL_FULL as SEMCONV_URL_FULL,
  ATTR_URL_PATH as SEMCONV_URL_PATH,
  ATTR_URL_SCHEME as SEMCONV_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';

export const ATTR_CORRELATION_ID = 'faultline.correlation_id';
// Incubating in semantic-conventions (its `/incubating` entry may change in a minor release,
// so, as the package advises, they are copied here): `peer.service` is what existing
// backends read, `service.peer.name` its successor; both are written.
export const ATTR_PEER_SERVICE = 'peer.service';
export const ATTR_SERVICE_PEER_NAME = 'service.peer.name';
export const ATTR_HTTP_METHOD = ATTR_HTTP_REQUEST_METHOD;
export const ATTR_HTTP_STATUS = ATTR_HTTP_RESPONSE_STATUS_CODE;
export const ATTR_HTTP_ROUTE = SEMCONV_HTTP_ROUTE;
export const ATTR_HTTP_RESEND_COUNT = ATTR_HTTP_REQUEST_RESEND_COUNT;
export const ATTR_URL_FULL = SEMCONV_URL_FULL;
export const ATTR_URL_PATH = SEMCONV_URL_PATH;
export const ATTR_URL_SCHEME = SEMCONV_URL_SCHEME;
export const ATTR_SERVER_ADDRESS = SEMCONV_SERVER_ADDRESS;
export const ATTR_SERVER_PORT = SEMCONV_SERVER_PORT;
export const ATTR_ERROR_TYPE = SEMCONV_ERROR_TYPE;
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
