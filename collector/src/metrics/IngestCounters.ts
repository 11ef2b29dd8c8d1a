// The collector's own health, counted where it happens (ingest routers, write queue).

/** Upper bounds of the store write latency histogram, in seconds. */
export const WRITE_SECONDS_BOUNDS: readonly number[] = Object.freeze([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

export class IngestCounters {
  /** Spans committed to storage (a re-sent span counts again; the store keeps it once). */
  spansAccepted = 0;
  /** Spans dropped by ingest limits (reported to senders in partialSuccess.rejectedSpans). */
  spansRejected = 0;
  /** Export requests refused for overload (429 / gRPC UNAVAILABLE with a retry hint). */
  throttled = 0;
  readonly writeSecondsBuckets: number[] = new Array<number>(WRITE_SECONDS_BOUNDS.length).fill(0);
  writeSecondsSum = 0;
  writeCount = 0;

  observeWrite(seconds: number, spans: number): void {
    this.spansAccepted += spans;
    this.writeCount++;
    this.writeSecondsSum += seconds;
    for (let i = 0; i < WRITE_SECONDS_BOUNDS.length; i++) if (seconds <= WRITE_SECONDS_BOUNDS[i]!) this.writeSecondsBuckets[i]!++;
  }
}
