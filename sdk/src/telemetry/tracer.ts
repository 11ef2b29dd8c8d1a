import { trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';

export const INSTRUMENTATION_NAME = '@faultline/sdk';
export const INSTRUMENTATION_VERSION = '0.1.0';

// Set by init(); otherwise the global API tracer is used, so an application
// that configures OpenTelemetry itself still gets the SDK's spans.
let current: Tracer | undefined;

export function setTracer(tracer: Tracer | undefined): void {
  current = tracer;
}

export function getTracer(): Tracer {
  return current ?? trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
}
