// The client skips its suppressed context when nothing listens on undici's diagnostics channels;
// these tests run the real undici instrumentation, switched on before and after the client exists.
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../test/helpers.js';
import type { TestServer } from '../../test/helpers.js';
import { createClient, init, shutdown } from '../index.js';

let undici: UndiciInstrumentation | undefined;
let provider: NodeTracerProvider | undefined;
let server: TestServer | undefined;

afterEach(async () => {
  undici?.disable();
  await shutdown();
  await provider?.shutdown();
  await server?.close();
  trace.disable();
  context.disable();
  propagation.disable();
  undici = provider = server = undefined;
});

async function setUp(): Promise<{ exporter: InMemorySpanExporter; traceparents: string[] }> {
  const exporter = new InMemorySpanExporter();
  provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  expect(init({ serviceName: 'orders' }).mode).toBe('attached');
  const traceparents: string[] = [];
  server = await startServer((req, res) => {
    traceparents.push(String(req.headers.traceparent));
    res.end('ok');
  });
  return { exporter, traceparents };
}

function enableUndici(): void {
  undici = new UndiciInstrumentation();
  undici.setTracerProvider(provider!);
  undici.enable();
}

const clientSpans = (exporter: InMemorySpanExporter) => exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);

describe('global fetch under the undici instrumentation', () => {
  it('gives one CLIENT span per call, whose id is the traceparent sent', async () => {
    const { exporter, traceparents } = await setUp();
    enableUndici();
    const payments = createClient({ target: 'payments', baseUrl: server!.url, policies: { retry: false } });
    expect((await payments('/x')).status).toBe(200);
    const spans = clientSpans(exporter);
    expect(spans.map((s) => s.name)).toEqual(['GET payments']);
    expect(traceparents).toEqual([`00-${spans[0]!.spanContext().traceId}-${spans[0]!.spanContext().spanId}-01`]);
  });

  it('notices an instrumentation switched on after the client was made', async () => {
    const { exporter, traceparents } = await setUp();
    const payments = createClient({ target: 'payments', baseUrl: server!.url, policies: { retry: false } });
    await payments('/before');
    enableUndici();
    await payments('/after');
    const spans = clientSpans(exporter);
    expect(spans.map((s) => s.name)).toEqual(['GET payments', 'GET payments']);
    expect(traceparents).toEqual(spans.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
  });
});
