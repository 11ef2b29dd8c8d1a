import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { init, shutdown } from '../src/index.js';
import type { FaultlineSdk } from '../src/index.js';

export interface TestServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Starts an HTTP server on a free loopback port. */
export async function startServer(handler: RequestListener): Promise<TestServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export interface Tracing {
  exporter: InMemorySpanExporter;
  sdk: FaultlineSdk;
  /** Flushes the batch processor and returns every finished span so far. */
  spans(): Promise<ReadableSpan[]>;
  /** Flushes, then forgets every span so far, so late spans of one test do not leak into the next. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export function startTracing(serviceName = 'test'): Tracing {
  const exporter = new InMemorySpanExporter();
  const sdk = init({ serviceName, spanExporter: exporter, scheduledDelayMs: 10 });
  return {
    exporter,
    sdk,
    async spans() {
      await sdk.forceFlush();
      return exporter.getFinishedSpans();
    },
    async reset() {
      await sdk.forceFlush();
      exporter.reset();
    },
    stop: () => shutdown(),
  };
}

export function eventsOf(span: ReadableSpan, name: string) {
  return span.events.filter((e) => e.name === name);
}

let counter = 0;
/** A target name no other test uses, so registry state never leaks between tests. */
export function uniqueTarget(prefix = 'svc'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}
