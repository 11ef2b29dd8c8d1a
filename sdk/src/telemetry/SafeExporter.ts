import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from './logger.js';

/**
 * Wraps the real exporter so that a collector that is down or slow costs the
 * host one warning per outage, never an exception or a log line per batch.
 */
export class SafeExporter implements SpanExporter {
  private failing = false;
  droppedBatches = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly logger: Logger,
    private readonly endpoint: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    let settled = false;
    const finish = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      if (result.code === ExportResultCode.SUCCESS) {
        if (this.failing) this.logger.warn(`span export to ${this.endpoint} recovered`);
        this.failing = false;
      } else {
        this.droppedBatches += 1;
        if (!this.failing) {
          this.failing = true;
          const reason = result.error?.message ?? 'unknown error';
          this.logger.warn(`span export to ${this.endpoint} failed (${reason}); dropping spans until it recovers`);
        }
      }
      done(result);
    };
    try {
      this.inner.export(spans, finish);
    } catch (error) {
      finish({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  async shutdown(): Promise<void> {
    try {
      await this.inner.shutdown();
    } catch {
      // Shutting down must not throw into the host's exit path.
    }
  }

  async forceFlush(): Promise<void> {
    try {
      await this.inner.forceFlush?.();
    } catch {
      // Same as shutdown: best effort.
    }
  }
}
