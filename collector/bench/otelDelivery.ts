// Overload check with the official OpenTelemetry exporter (no Faultline SDK): spans ended
// while the collector refuses with 429/503 are retried by OTLPTraceExporter (proto) behind a
// BatchSpanProcessor, and every span it reports exported must end up stored.
import { context, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface OtelDelivery {
  service: string;
  spansEnded: number;
  spansExported: number;
  spansFailed: number;
  /** Export calls the exporter finished (after its own retries). */
  exports: number;
  flush: () => Promise<void>;
}

/** Counts what the official exporter reports as exported (after its retries) or failed. */
class CountingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly stats: OtelDelivery,
  ) {}
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans, (result) => {
      this.stats.exports++;
      // 0 is ExportResultCode.SUCCESS (@opentelemetry/core, not a dependency here).
      if (result.code === 0) this.stats.spansExported += spans.length;
      else this.stats.spansFailed += spans.length;
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * Starts ending `traces` traces of `spansPerTrace` spans, spread over `overMs`, through the
 * official exporter pointed at `url`. `flush()` waits until the processor has handed everything over.
 */
export function startOtelDelivery(url: string, traces: number, spansPerTrace: number, overMs: number): OtelDelivery {
  const stats: OtelDelivery = { service: `otel-overload-${process.pid}`, spansEnded: 0, spansExported: 0, spansFailed: 0, exports: 0, flush: async () => undefined };
  const exporter = new CountingExporter(new OTLPTraceExporter({ url: `${url}/v1/traces` }), stats);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': stats.service }),
    // Defaults of the SDK except a bounded queue large enough to hold the whole run (nothing dropped before export).
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: traces * spansPerTrace + 1, maxExportBatchSize: 512, scheduledDelayMillis: 200 })],
  });
  const tracer = provider.getTracer('faultline-bench');
  let made = 0;
  const timer = setInterval(
    () => {
      if (made >= traces) return;
      made++;
      const root = tracer.startSpan('GET /overload', { kind: SpanKind.SERVER });
      const ctx = trace.setSpan(context.active(), root);
      for (let i = 1; i < spansPerTrace; i++) tracer.startSpan(`step ${i}`, { kind: SpanKind.INTERNAL }, ctx).end();
      root.end();
      stats.spansEnded += spansPerTrace;
    },
    Math.max(1, Math.floor(overMs / traces)),
  );
  stats.flush = async () => {
    while (made < traces) await new Promise((r) => setTimeout(r, 50));
    clearInterval(timer);
    await provider.forceFlush();
    await provider.shutdown();
  };
  return stats;
}
