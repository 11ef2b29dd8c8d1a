import { checkKeys } from './config/checkKeys.js';
import { ConfigError } from './errors/ConfigError.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from './telemetry/logger.js';

export interface InitOptions {
  /** Service name on every span. Default: `OTEL_SERVICE_NAME`, else `unknown_service`. */
  serviceName?: string;
  /** `service.version` on every span. Default: none (or from `OTEL_RESOURCE_ATTRIBUTES`). */
  serviceVersion?: string;
  /** `deployment.environment.name` on every span, e.g. `production`. Default: none. */
  environment?: string;
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
  /**
   * `auto` (default): use the tracer provider the application already registered (e.g.
   * `@opentelemetry/sdk-node`) when there is one, else set one up. `standalone`: always set one up.
   */
  attach?: 'auto' | 'standalone';
}

export const INIT_OPTION_KEYS = [
  'serviceName',
  'serviceVersion',
  'environment',
  'endpoint',
  'spanExporter',
  'maxQueueSize',
  'scheduledDelayMs',
  'maxExportBatchSize',
  'exportTimeoutMs',
  'logger',
  'attach',
] as const satisfies ReadonlyArray<keyof InitOptions>;

export interface ResolvedInitOptions {
  serviceName: string;
  serviceVersion: string | undefined;
  environment: string | undefined;
  endpoint: string;
  maxQueueSize: number;
  scheduledDelayMs: number;
  maxExportBatchSize: number;
  exportTimeoutMs: number;
  attach: 'auto' | 'standalone';
  /** OTEL_SDK_DISABLED=true: no provider is set up, spans are no-ops; policies still run. */
  disabled: boolean;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(name, `must be a positive integer, got ${String(value)}`);
  return value;
}

function optionalString(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) throw new ConfigError(name, 'must be a string of 1-256 chars');
  return value;
}

function checkEndpoint(option: string, endpoint: string): string {
  // `collector:4318` parses as a URL with scheme "collector:": demand http(s) explicitly.
  if (!/^https?:\/\//i.test(endpoint)) throw new ConfigError(option, `must start with http:// or https://, got ${JSON.stringify(endpoint)}`);
  try {
    new URL(endpoint);
  } catch {
    throw new ConfigError(option, `not a URL: ${endpoint}`);
  }
  return endpoint;
}

/** Applies defaults and the standard OTEL_* variables, and validates every field once. */
export function resolveInitOptions(options: InitOptions, env: NodeJS.ProcessEnv = process.env): ResolvedInitOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object');
  checkKeys(options, INIT_OPTION_KEYS);
  const serviceName = options.serviceName ?? env.OTEL_SERVICE_NAME ?? 'unknown_service';
  if (typeof serviceName !== 'string' || serviceName.length === 0) throw new ConfigError('serviceName', 'must be a non-empty string');
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  let endpoint: string;
  if (options.endpoint !== undefined) endpoint = `${checkEndpoint('endpoint', options.endpoint).replace(/\/+$/, '')}/v1/traces`;
  else if (tracesEndpoint) endpoint = checkEndpoint('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint);
  else endpoint = `${checkEndpoint('OTEL_EXPORTER_OTLP_ENDPOINT', env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://127.0.0.1:4318').replace(/\/+$/, '')}/v1/traces`;
  const attach = options.attach ?? 'auto';
  if (attach !== 'auto' && attach !== 'standalone') throw new ConfigError('attach', 'must be "auto" or "standalone"');
  const maxQueueSize = positiveInt('maxQueueSize', options.maxQueueSize, 2048);
  const maxExportBatchSize = Math.min(positiveInt('maxExportBatchSize', options.maxExportBatchSize, 512), maxQueueSize);
  return {
    serviceName,
    serviceVersion: optionalString('serviceVersion', options.serviceVersion),
    environment: optionalString('environment', options.environment),
    endpoint,
    maxQueueSize,
    maxExportBatchSize,
    scheduledDelayMs: positiveInt('scheduledDelayMs', options.scheduledDelayMs, 1000),
    exportTimeoutMs: positiveInt('exportTimeoutMs', options.exportTimeoutMs, 10_000),
    attach,
    disabled: (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true',
  };
}
