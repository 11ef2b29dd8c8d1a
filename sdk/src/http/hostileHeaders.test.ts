import { connect } from 'node:net';
import express from 'express';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getCorrelationId, getDeadline, middleware, parseDeadline, sanitizeCorrelationId } from '../index.js';
import { startServer, startTracing } from '../../test/helpers.js';
import type { TestServer, Tracing } from '../../test/helpers.js';

let tracing: Tracing;
let server: TestServer;
const seen: Array<{ correlationId?: string; deadline?: number }> = [];
const logged: string[] = [];

beforeAll(async () => {
  tracing = startTracing('hostile');
  for (const level of ['log', 'warn', 'error', 'info'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  }
  const app = express();
  app.use(middleware());
  app.get('/echo', (_req, res) => {
    seen.push({ correlationId: getCorrelationId(), deadline: getDeadline() });
    res.json({ correlationId: getCorrelationId() ?? null, deadline: getDeadline() ?? null });
  });
  server = await startServer(app);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server.close();
  await tracing.stop();
});

/** Sends header lines byte for byte, bypassing the client-side validation of fetch. */
function rawRequest(headerLines: string[]): Promise<{ status: number; headers: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\r\n\r\n')) {
        socket.destroy();
        const [head] = data.split('\r\n\r\n');
        resolve({ status: Number(head!.split(' ')[1]), headers: head! });
      }
    });
    socket.on('error', reject);
    socket.write(`GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headerLines.map((l) => `${l}\r\n`).join('')}\r\n`, 'latin1');
  });
}

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

describe('hostile inbound headers', () => {
  it.each([
    ['a tab', 'x-correlation-id: abc\tdef'],
    ['10 kB', `x-correlation-id: ${'a'.repeat(10_000)}`],
    ['spaces and quotes', 'x-correlation-id: "a b" <script>'],
    ['latin-1 bytes', 'x-correlation-id: caf\xe9'],
    ['empty', 'x-correlation-id: '],
  ])('replaces a correlation id with %s and never echoes it', async (_name, line) => {
    const res = await rawRequest([line]);
    expect(res.status).toBe(200);
    const echoed = /x-correlation-id: (.*)/i.exec(res.headers)?.[1];
    expect(echoed).toMatch(ID);
    expect(line).not.toContain(echoed!);
  });

  it('never reaches the app with other control characters (the HTTP parser refuses them)', async () => {
    seen.length = 0;
    const res = await rawRequest(['x-correlation-id: abc\x01def']);
    expect(res.status).toBe(400);
    expect(seen).toHaveLength(0);
  });

  it('keeps a valid correlation id as is', async () => {
    const res = await rawRequest(['x-correlation-id: order-42:retry.1']);
    expect(/x-correlation-id: (.*)/i.exec(res.headers)?.[1]).toBe('order-42:retry.1');
  });

  it.each([
    ['oversize', `traceparent: 00-${'a'.repeat(32)}-${'b'.repeat(16)}-01${'-x'.repeat(5000)}`],
    ['bad version', `traceparent: ff-${'a'.repeat(32)}-${'b'.repeat(16)}-01`],
    ['zero trace id', `traceparent: 00-${'0'.repeat(32)}-${'b'.repeat(16)}-01`],
    ['garbage', 'traceparent: hello'],
    ['duplicate', `traceparent: 00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, `traceparent: 00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`],
    ['huge tracestate', `traceparent: 00-${'e'.repeat(32)}-${'b'.repeat(16)}-01`, `tracestate: ${'k=v,'.repeat(3000)}`],
  ])('starts a fresh trace for a %s traceparent', async (name, ...lines) => {
    await tracing.reset();
    const res = await rawRequest(lines);
    expect(res.status).toBe(200);
    const spans = await tracing.spans();
    expect(spans).toHaveLength(1);
    const traceId = spans[0]!.spanContext().traceId;
    if (name === 'huge tracestate') {
      // The traceparent is fine; only the oversized tracestate is dropped.
      expect(traceId).toBe('e'.repeat(32));
      expect(spans[0]!.spanContext().traceState).toBeUndefined();
    } else {
      expect(traceId).not.toMatch(/^(a+|c+|0+)$/);
      expect(spans[0]!.parentSpanContext).toBeUndefined();
    }
  });

  it.each([
    ['negative', '-5'],
    ['non-numeric', 'soon'],
    ['far future', String(Date.now() + 10 * 365 * 24 * 3600 * 1000)],
    ['absurd digits', '9'.repeat(400)],
    ['exponent', '1e20'],
    ['zero', '0'],
  ])('ignores a %s x-request-deadline', async (_name, value) => {
    seen.length = 0;
    const res = await rawRequest([`x-request-deadline: ${value}`]);
    expect(res.status).toBe(200);
    expect(seen[0]!.deadline).toBeUndefined();
  });

  it('never logs any of it', () => {
    expect(logged.join('\n')).not.toMatch(/script|aaaaaaaaaa|soon/);
  });
});

describe('sanitizers under arbitrary input', () => {
  it('a correlation id is either a valid id or undefined', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (raw) => {
        const id = sanitizeCorrelationId(raw);
        return id === undefined ? !ID.test(raw) : id === raw && ID.test(id);
      }),
      { numRuns: 500 },
    );
  });

  it('a deadline is either a positive epoch ms within a day or undefined', () => {
    const now = Date.now();
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.integer().map(String), fc.double().map(String)), (raw) => {
        const d = parseDeadline(raw, now);
        return d === undefined || (Number.isInteger(d) && d > 0 && d <= now + 24 * 3600 * 1000);
      }),
      { numRuns: 500 },
    );
  });
});
