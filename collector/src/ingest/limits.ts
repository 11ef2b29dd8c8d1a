// Bounds applied to every decoded request. Whatever exceeds them is dropped (attributes,
// events, links, nesting) or rejected (spans beyond the per-request cap) and reported in
// the OTLP partialSuccess answer, so a hostile or buggy sender cannot make one span huge.

export interface IngestLimits {
  /** Largest request body, compressed and decompressed alike. Default 16 MiB. */
  bodyBytesMax: number;
  /** Spans kept from one request; the rest are counted in partialSuccess.rejectedSpans. Default 10,000. */
  spansPerRequestMax: number;
  /** Attributes kept per span, resource, event or link. Default 128. */
  attributesPerSpanMax: number;
  /** String attribute values are cut to this many characters. Default 4,096. */
  attributeValueCharsMax: number;
  /** Attribute keys longer than this drop the attribute. Default 256. */
  attributeKeyCharsMax: number;
  /** Events kept per span. Default 128. */
  eventsPerSpanMax: number;
  /** Links kept per span. Default 128. */
  linksPerSpanMax: number;
  /** Nesting depth of array/kvlist attribute values; deeper values become a placeholder. Default 8. */
  attributeDepthMax: number;
  /** Span names and status messages are cut to this many characters. Default 1,024. */
  nameCharsMax: number;
}

export const DEFAULT_INGEST_LIMITS: Readonly<IngestLimits> = Object.freeze({
  bodyBytesMax: 16 * 1024 * 1024,
  spansPerRequestMax: 10_000,
  attributesPerSpanMax: 128,
  attributeValueCharsMax: 4_096,
  attributeKeyCharsMax: 256,
  eventsPerSpanMax: 128,
  linksPerSpanMax: 128,
  attributeDepthMax: 8,
  nameCharsMax: 1_024,
});

export function resolveIngestLimits(partial: Partial<IngestLimits> = {}): IngestLimits {
  const limits = { ...DEFAULT_INGEST_LIMITS, ...partial };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`ingest limit ${key} must be a positive integer, got ${value}`);
  }
  return limits;
}
