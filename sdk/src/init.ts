import { context, propagation, trace } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { ConfigError } from './errors/ConfigError.js';
import { resolveInitOptions } from './initOptions.js';
import type { InitOptions } from './initOptions.js';
import { flushProvider, registeredTracerProvider } from './telemetry/globalProvider.js';
import { consoleLogger } from './telemetry/logger.js';
import type { Logger } from './telemetry/logger.js';
import { SafeExporter } from './telemetry/SafeExporter.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, setTracer } from './telemetry/tracer.js';

export { resolveInitOptions } from './initOptions.js';
export type { InitOptions } from './initOptions.js';

/**
 * `standalone`: init() set up and registered its own provider. `attached`: the application had
 * registered one (e.g. `@opentelemetry/sdk-node`); Faultline's spans go through it and nothing
 * else is installed. `disabled`: `OTEL_SDK_DISABLED=true`, spans are no-ops.
 */
export type TracingMode = 'standalone' | 'attached' | 'disabled';

export interface FaultlineSdk {
  readonly serviceName: string;
  readonly logger: Logger;
  readonly mode: TracingMode;
  /** The provider Faultline's spans go to: its own, the application's, or the API's no-op one. */
  readonly provider: TracerProvider;
  /** Exports everything buffered so far. */
  forceFlush(): Promise<void>;
  /** Spans waiting for export (bounded by maxQueueSize) and export batches that failed (standalone mode). */
  stats(): { queuedSpans: number; maxQueueSize: number; failedExports: number };
  /** Same as the module-level shutdown(). */
  shutdown(): Promise<void>;
}

interface ActiveSdk extends FaultlineSdk {
  /** Set when init() owns the provider: shutdown() stops it and unregisters the globals. */
  readonly owned: NodeTracerProvider | undefined;
}

let active: ActiveSdk | undefined;

/**
 * Sets up OpenTelemetry tracing for this process. When the application already registered a
 * tracer provider (`@opentelemetry/sdk-node`, auto-instrumentation), Faultline uses it and
 * installs nothing of its own. Otherwise it registers a NodeTracerProvider with a bounded batch
 * processor exporting OTLP/HTTP protobuf; a collector that is down or slow never affects the
 * host: spans are dropped and one warning is logged. Honours `OTEL_SERVICE_NAME`,
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER(_ARG)` and `OTEL_SDK_DISABLED`.
 * @example
 * import { init } from '@faultline/sdk';
 * init({ serviceName: 'orders', serviceVersion: '1.4.2', environment: 'production' });
 */
export function init(options: InitOptions = {}): FaultlineSdk {
  const resolved = resolveInitOptions(options);
  if (active) throw new ConfigError('init', 'init() was already called; call shutdown() first');
  const logger = options.logger ?? consoleLogger;
  const noStats = () => ({ queuedSpans: 0, maxQueueSize: resolved.maxQueueSize, failedExports: 0 });

  const existing = resolved.attach === 'auto' ? registeredTracerProvider() : undefined;
  if (resolved.disabled || existing) {
    const provider = existing ?? trace.getTracerProvider();
    setTracer(undefined); // the global tracer: the application's provider, or the no-op one
    active = {
      serviceName: resolved.serviceName,
      logger,
      mode: existing ? 'attached' : 'disabled',
      provider,
      owned: undefined,
      forceFlush: () => flushProvider(existing),
      stats: noStats,
      shutdown,
    };
    return active;
  }

  const exporter = new SafeExporter(
    options.spanExporter ?? new OTLPTraceExporter({ url: resolved.endpoint, timeoutMillis: resolved.exportTimeoutMs }),
    logger,
    options.spanExporter ? 'custom exporter' : resolved.endpoint,
  );
  const processor = new BatchSpanProcessor(exporter, {
    maxQueueSize: resolved.maxQueueSize,
    maxExportBatchSize: resolved.maxExportBatchSize,
    scheduledDelayMillis: resolved.scheduledDelayMs,
    exportTimeoutMillis: resolved.exportTimeoutMs,
  });
  // OTEL_RESOURCE_ATTRIBUTES first, then what init() was told (options win over the environment).
  const attributes: Record<string, string> = { [ATTR_SERVICE_NAME]: resolved.serviceName };
  if (resolved.serviceVersion !== undefined) attributes[ATTR_SERVICE_VERSION] = resolved.serviceVersion;
  if (resolved.environment !== undefined) attributes[ATTR_DEPLOYMENT_ENVIRONMENT_NAME] = resolved.environment;
  const resource = detectResources({ detectors: [envDetector] }).merge(resourceFromAttributes(attributes));
  // The sampler is left to the provider, which reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG.
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // With attach: 'standalone' a previous registration would make register() a silent no-op.
  trace.disable();
  context.disable();
  propagation.disable();
  provider.register();
  setTracer(provider.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION));
  active = {
    serviceName: resolved.serviceName,
    logger,
    mode: 'standalone',
    provider,
    owned: provider,
    forceFlush: () => provider.forceFlush(),
    stats: () => ({
      // The processor keeps its queue private; read defensively for health output.
      queuedSpans: (processor as unknown as { _finishedSpans?: unknown[] })._finishedSpans?.length ?? 0,
      maxQueueSize: resolved.maxQueueSize,
      failedExports: exporter.droppedBatches,
    }),
    shutdown,
  };
  return active;
}

/**
 * Flushes buffered spans and stops the provider set up by init(). Safe to call twice; never
 * throws (a collector that is down costs the last spans). A provider the application
 * registered itself is flushed, never shut down: it is the application's.
 * @example
 * process.on('SIGTERM', () => void shutdown().then(() => process.exit(0)));
 */
export async function shutdown(): Promise<void> {
  const sdk = active;
  if (!sdk) return;
  active = undefined;
  setTracer(undefined);
  try {
    if (sdk.owned) await sdk.owned.shutdown();
    else await sdk.forceFlush();
  } catch (error) {
    // A collector that is down at exit costs the last spans, never the host's clean exit.
    sdk.logger.warn(`span flush at shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (sdk.owned) {
      trace.disable();
      context.disable();
      propagation.disable();
    }
  }
}
