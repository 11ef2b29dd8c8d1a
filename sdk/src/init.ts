import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ConfigError } from './errors/ConfigError.js';
import { consoleLogger } from './telemetry/logger.js';
import type { Logger } from './telemetry/logger.js';
import { SafeExporter } from './telemetry/SafeExporter.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, setTracer } from './telemetry/tracer.js';

export interface InitOptions {
  /** Service name on every span. Default: `OTEL_SERVICE_NAME`, else `unknown_service`. */
  serviceName?: string;
  /** OTLP/HTTP base URL; `/v1/traces` is appended. Default: `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://127.0.0.1:4318`. */
  endpoint?: string;
  /** Replaces the OTLP exporter (tests pass an InMemorySpanExporter). */
  spanExporter?: SpanExporter;
  /** Spans buffered while waiting for export; beyond it spans are dropped. Default 2048. */
  maxQueueSize?: number;
  /** Delay between two exports, ms. Default 1000. */
  scheduledDelayMs?: number;
  /** Spans per export request. Default 512. */
  maxExportBatchSize?: number;
  /** How long one export may take before it is abandoned, ms. Default 10000. */
  exportTimeoutMs?: number;
  /** Where background trouble is reported (once per outage). Default: console.warn. */
  logger?: Logger;
}

export interface FaultlineSdk {
  readonly serviceName: string;
  readonly logger: Logger;
  readonly provider: NodeTracerProvider;
  /** Exports everything buffered so far. */
  forceFlush(): Promise<void>;
  /** Spans waiting for export (bounded by maxQueueSize) and export batches that failed. */
  stats(): { queuedSpans: number; maxQueueSize: number; failedExports: number };
  /** Same as the module-level shutdown(). */
  shutdown(): Promise<void>;
}

interface ResolvedInitOptions {
  serviceName: string;
  endpoint: string;
  maxQueueSize: number;
  scheduledDelayMs: number;
  maxExportBatchSize: number;
  exportTimeoutMs: number;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(name, `must be a positive integer, got ${String(value)}`);
  return value;
}

export function resolveInitOptions(options: InitOptions, env: NodeJS.ProcessEnv = process.env): ResolvedInitOptions {
  const serviceName = options.serviceName ?? env.OTEL_SERVICE_NAME ?? 'unknown_service';
  if (typeof serviceName !== 'string' || serviceName.length === 0) throw new ConfigError('serviceName', 'must be a non-empty string');
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = options.endpoint ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318';
  const endpoint = options.endpoint === undefined && tracesEndpoint ? tracesEndpoint : `${base.replace(/\/+$/, '')}/v1/traces`;
  try {
    new URL(endpoint);
  } catch {
    throw new ConfigError('endpoint', `not a URL: ${endpoint}`);
  }
  const maxQueueSize = positiveInt('maxQueueSize', options.maxQueueSize, 2048);
  const maxExportBatchSize = Math.min(positiveInt('maxExportBatchSize', options.maxExportBatchSize, 512), maxQueueSize);
  return {
    serviceName,
    endpoint,
    maxQueueSize,
    maxExportBatchSize,
    scheduledDelayMs: positiveInt('scheduledDelayMs', options.scheduledDelayMs, 1000),
    exportTimeoutMs: positiveInt('exportTimeoutMs', options.exportTimeoutMs, 10_000),
  };
}

let active: FaultlineSdk | undefined;

/**
 * `OTEL_RESOURCE_ATTRIBUTES` (`key=value,key2=value2`, values percent-encoded) as the
 * OpenTelemetry SDK specification defines it; malformed pairs are skipped.
 */
export function resourceAttributesFromEnv(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    const key = pair.slice(0, i).trim();
    try {
      out[key] = decodeURIComponent(pair.slice(i + 1).trim());
    } catch {
      // not percent-decodable: skipped, like other SDKs do
    }
  }
  return out;
}

/**
 * Sets up OpenTelemetry tracing for this process: a NodeTracerProvider with a
 * bounded batch processor exporting OTLP/HTTP protobuf. A collector that is
 * down or slow never affects the host: spans are dropped and one warning is logged.
 * @example
 * import { init } from '@faultline/sdk';
 * init({ serviceName: 'orders' });
 */
export function init(options: InitOptions = {}): FaultlineSdk {
  const resolved = resolveInitOptions(options);
  if (active) throw new ConfigError('init', 'init() was already called; call shutdown() first');
  const logger = options.logger ?? consoleLogger;
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
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ ...resourceAttributesFromEnv(process.env.OTEL_RESOURCE_ATTRIBUTES), 'service.name': resolved.serviceName }),
    spanProcessors: [processor],
  });
  // A previous registration (another init, or the app's own) would make
  // register() a silent no-op; we own tracing once init() is called.
  trace.disable();
  context.disable();
  propagation.disable();
  provider.register();
  setTracer(provider.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION));
  const sdk: FaultlineSdk = {
    serviceName: resolved.serviceName,
    logger,
    provider,
    forceFlush: () => provider.forceFlush(),
    stats: () => ({
      // The processor keeps its queue private; read defensively for health output.
      queuedSpans: (processor as unknown as { _finishedSpans?: unknown[] })._finishedSpans?.length ?? 0,
      maxQueueSize: resolved.maxQueueSize,
      failedExports: exporter.droppedBatches,
    }),
    shutdown,
  };
  active = sdk;
  return sdk;
}

/**
 * Flushes buffered spans and stops the provider set up by init(). Safe to
 * call twice; never throws (a collector that is down costs the last spans).
 * @example
 * process.on('SIGTERM', () => void shutdown().then(() => process.exit(0)));
 */
export async function shutdown(): Promise<void> {
  const sdk = active;
  if (!sdk) return;
  active = undefined;
  setTracer(undefined);
  try {
    await sdk.provider.shutdown();
  } catch (error) {
    // A collector that is down at exit costs the last spans, never the host's clean exit.
    sdk.logger.warn(`span flush at shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    trace.disable();
    context.disable();
    propagation.disable();
  }
}
