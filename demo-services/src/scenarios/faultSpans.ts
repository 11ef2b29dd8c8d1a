// A `down` fault kills the service, so its own chaos hook cannot record `fault.injected`.
// The injector records it instead, as the chaos agent it is: one span per kill from the
// service `faultline-chaos`, with `peer.service` naming the victim. A private provider keeps
// this off the process's global OpenTelemetry setup, and export failures never reach the run.
import { SpanKind, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FaultRecord } from './faults.js';

export const CHAOS_SERVICE_NAME = 'faultline-chaos';
/** A run must not wait long on a collector that is not there. */
const EXPORT_TIMEOUT_MS = 2000;

export interface FaultRecorder {
  /** Records that `record`'s fault was injected now. */
  injected(record: FaultRecord): void;
  /** Flushes what was recorded. Never throws. */
  shutdown(): Promise<void>;
}

/** Sends one span with a `fault.injected` event per recorded fault to `endpoint` (OTLP/HTTP base URL). */
export function createFaultSpanRecorder(endpoint: string): FaultRecorder {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': CHAOS_SERVICE_NAME }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces`, timeoutMillis: EXPORT_TIMEOUT_MS }))],
  });
  const tracer: Tracer = provider.getTracer('@faultline/demo-services');
  return {
    injected(record) {
      const span = tracer.startSpan(`inject ${record.kind} ${record.service}`, {
        kind: SpanKind.INTERNAL,
        startTime: record.startMs,
        attributes: { 'peer.service': record.service, 'faultline.fault': record.kind },
      });
      span.addEvent('fault.injected', { 'faultline.fault': record.kind, 'peer.service': record.service }, record.startMs);
      span.end();
    },
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, EXPORT_TIMEOUT_MS + 500);
      });
      await Promise.race([provider.shutdown().catch(() => undefined), bound]);
      clearTimeout(timer);
    },
  };
}
