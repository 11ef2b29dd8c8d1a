import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Context, TextMapGetter } from '@opentelemetry/api';
import { RPCType, W3CTraceContextPropagator, getRPCMetadata } from '@opentelemetry/core';
import {
  CORRELATION_HEADER,
  DEADLINE_HEADER,
  newCorrelationId,
  parseDeadline,
  runWithContext,
  sanitizeCorrelationId,
} from '../context/index.js';
import {
  ATTR_CORRELATION_ID,
  ATTR_DEADLINE_MS,
  ATTR_HTTP_METHOD,
  ATTR_HTTP_ROUTE,
  ATTR_HTTP_STATUS,
  ATTR_URL_PATH,
  clip,
} from '../telemetry/attributes.js';
import { getTracer } from '../telemetry/tracer.js';

export interface MiddlewareOptions {
  /** Answer 504 at once when the inbound `x-request-deadline` has passed. Default true. */
  rejectExpired?: boolean;
}

// Longer headers are hostile or broken; parsing them would only waste time.
const TRACEPARENT_MAX_CHARS = 256;
const TRACESTATE_MAX_CHARS = 512;

const propagator = new W3CTraceContextPropagator();

const headerGetter: TextMapGetter<IncomingMessage['headers']> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key];
    // Repeated traceparent headers are invalid per W3C: treat as absent.
    if (typeof value !== 'string') return undefined;
    const max = key === 'tracestate' ? TRACESTATE_MAX_CHARS : TRACEPARENT_MAX_CHARS;
    return value.length > max ? undefined : value;
  },
};

type Next = (error?: unknown) => void;
interface RoutedRequest extends IncomingMessage {
  route?: { path?: unknown };
  baseUrl?: string;
  originalUrl?: string;
}

function pathOf(req: RoutedRequest): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  return clip(q === -1 ? url : url.slice(0, q), 2048);
}

/**
 * Express middleware for an inbound request: a SERVER span continuing the
 * caller's W3C trace, the correlation id (read, sanitised, or created, and
 * set on the response), and the propagated deadline, all available to code
 * and SDK clients running inside the request.
 * @example
 * app.use(middleware());
 */
export function middleware(options: MiddlewareOptions = {}): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const rejectExpired = options.rejectExpired ?? true;
  return function faultlineMiddleware(req: RoutedRequest, res: ServerResponse, next: Next): void {
    const headers = req.headers;
    const correlationId = sanitizeCorrelationId(headers[CORRELATION_HEADER]) ?? newCorrelationId();
    const now = Date.now();
    const deadlineMs = parseDeadline(headers[DEADLINE_HEADER], now);
    const method = clip(req.method ?? 'GET', 16);
    res.setHeader(CORRELATION_HEADER, correlationId);

    // The application's http instrumentation already opened the SERVER span of this request:
    // record on it rather than adding a second one.
    const rpc = getRPCMetadata(context.active());
    if (rpc?.type === RPCType.HTTP && rpc.span.isRecording()) {
      rpc.span.setAttribute(ATTR_CORRELATION_ID, correlationId);
      if (deadlineMs !== undefined) rpc.span.setAttribute(ATTR_DEADLINE_MS, deadlineMs);
      if (rejectExpired && deadlineMs !== undefined && deadlineMs <= now) {
        rpc.span.setAttribute('faultline.deadline_exceeded', true);
        rejectAsExpired(res);
        return;
      }
      runWithContext({ correlationId, deadlineMs }, () => next());
      return;
    }

    const parent: Context = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
    const span = getTracer().startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_METHOD]: method,
          [ATTR_URL_PATH]: pathOf(req),
          [ATTR_CORRELATION_ID]: correlationId,
          ...(deadlineMs !== undefined ? { [ATTR_DEADLINE_MS]: deadlineMs } : {}),
        },
      },
      parent,
    );

    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      const routePath = req.route?.path;
      if (typeof routePath === 'string') {
        const route = clip(`${req.baseUrl ?? ''}${routePath}`, 256);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(`${method} ${route}`);
      }
      span.setAttribute(ATTR_HTTP_STATUS, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.statusCode}` });
      if (!res.writableFinished) span.setAttribute('faultline.aborted', true);
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);

    if (rejectExpired && deadlineMs !== undefined && deadlineMs <= now) {
      span.setAttribute('faultline.deadline_exceeded', true);
      rejectAsExpired(res);
      return;
    }

    const ctx = trace.setSpan(parent, span);
    context.with(ctx, () => runWithContext({ correlationId, deadlineMs }, () => next()));
  };
}

function rejectAsExpired(res: ServerResponse): void {
  res.statusCode = 504;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ error: 'request deadline already passed' }));
}
