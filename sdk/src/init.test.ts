import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { init, isConfigError, shutdown } from './index.js';
import { resolveInitOptions } from './init.js';

afterEach(() => shutdown());

describe('resolveInitOptions', () => {
  it('reads the standard OpenTelemetry environment variables', () => {
    const r = resolveInitOptions({}, { OTEL_SERVICE_NAME: 'orders', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
    expect(r.serviceName).toBe('orders');
    expect(r.endpoint).toBe('http://collector:4318/v1/traces');
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, and explicit options over the environment', () => {
    expect(resolveInitOptions({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:1/custom' }).endpoint).toBe('http://c:1/custom');
    const r = resolveInitOptions({ serviceName: 'x', endpoint: 'http://127.0.0.1:9999' }, { OTEL_SERVICE_NAME: 'y', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:1/t' });
    expect(r).toMatchObject({ serviceName: 'x', endpoint: 'http://127.0.0.1:9999/v1/traces' });
  });

  it('defaults to unknown_service and the local collector', () => {
    expect(resolveInitOptions({}, {})).toMatchObject({
      serviceName: 'unknown_service',
      endpoint: 'http://127.0.0.1:4318/v1/traces',
      maxQueueSize: 2048,
      scheduledDelayMs: 1000,
    });
  });

  it.each([
    [{ maxQueueSize: 0 }, 'maxQueueSize'],
    [{ scheduledDelayMs: 1.5 }, 'scheduledDelayMs'],
    [{ endpoint: 'not a url' }, 'endpoint'],
    [{ serviceName: '' }, 'serviceName'],
  ])('rejects %j naming %s', (options, option) => {
    try {
      resolveInitOptions(options, {});
      expect.unreachable();
    } catch (error) {
      expect(isConfigError(error) && error.option).toBe(option);
    }
  });
});

describe('init', () => {
  it('refuses a second init until shutdown, and shutdown is idempotent', async () => {
    init({ serviceName: 'a', spanExporter: new InMemorySpanExporter() });
    expect(() => init({ serviceName: 'b', spanExporter: new InMemorySpanExporter() })).toThrow(/already/);
    await shutdown();
    await shutdown();
    const sdk = init({ serviceName: 'c', spanExporter: new InMemorySpanExporter() });
    expect(sdk.serviceName).toBe('c');
  });
});
