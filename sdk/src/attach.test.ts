import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../test/helpers.js';
import { createClient, init, shutdown } from './index.js';

describe('init() with an OpenTelemetry setup already registered', () => {
  afterEach(async () => {
    await shutdown();
    trace.disable();
    delete process.env.OTEL_SDK_DISABLED;
  });

  it('attaches: Faultline spans go to the application provider, which keeps working after shutdown()', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    const sdk = init({ serviceName: 'ignored-when-attached' });
    expect(sdk.mode).toBe('attached');
    expect(sdk.provider).toBe(provider);
    const server = await startServer((_req, res) => res.end('ok'));
    try {
      const res = await createClient({ target: 'payments', baseUrl: server.url })('/x');
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
    const [client] = exporter.getFinishedSpans();
    expect(client?.name).toBe('GET payments');
    expect(client?.attributes).toMatchObject({ 'peer.service': 'payments', 'service.peer.name': 'payments', 'url.scheme': 'http' });
    await shutdown();
    // The application's provider is still the global one and still records.
    trace.getTracer('app').startSpan('after').end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toContain('after');
  });

  it("attach: 'standalone' replaces it", () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    expect(init({ attach: 'standalone', spanExporter: new InMemorySpanExporter() }).mode).toBe('standalone');
  });

  it('sets one up when none is registered, with service.version and deployment.environment.name', async () => {
    const exporter = new InMemorySpanExporter();
    const sdk = init({ serviceName: 'orders', serviceVersion: '1.2.3', environment: 'staging', spanExporter: exporter });
    expect(sdk.mode).toBe('standalone');
    trace.getTracer('t').startSpan('s').end();
    await sdk.forceFlush();
    expect(exporter.getFinishedSpans()[0]?.resource.attributes).toMatchObject({ 'service.name': 'orders', 'service.version': '1.2.3', 'deployment.environment.name': 'staging' });
  });

  it('OTEL_SDK_DISABLED=true installs nothing; calls still run through the policies', async () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    const sdk = init({ serviceName: 'orders' });
    expect(sdk.mode).toBe('disabled');
    expect(trace.getTracer('t').startSpan('s').isRecording()).toBe(false);
  });
});
