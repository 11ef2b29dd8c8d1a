import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { init, shutdown } from './index.js';

describe('OTEL_RESOURCE_ATTRIBUTES', () => {
  const saved = process.env.OTEL_RESOURCE_ATTRIBUTES;
  afterEach(async () => {
    await shutdown();
    if (saved === undefined) delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    else process.env.OTEL_RESOURCE_ATTRIBUTES = saved;
  });

  it('puts them on the resource of every span; service.name still comes from init', async () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'service.namespace=scenario-x,service.name=ignored';
    const exporter = new InMemorySpanExporter();
    const sdk = init({ serviceName: 'orders', spanExporter: exporter });
    trace.getTracer('t').startSpan('s').end();
    await sdk.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span?.resource.attributes).toMatchObject({ 'service.namespace': 'scenario-x', 'service.name': 'orders' });
  });
});
