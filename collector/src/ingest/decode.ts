// Entry points of the pure ingest layer: bytes in, SpanRecords or a DecodeError out.
import { gunzip } from 'node:zlib';
import { DecodeError } from './DecodeError.js';
import type { IngestLimits } from './limits.js';
import { ExportTraceServiceRequest } from './schema.js';
import { type DecodedRequest, toSpanRecords } from './toSpanRecords.js';

export type OtlpEncoding = 'protobuf' | 'json';

/** Maps a Content-Type header to the OTLP encoding it names, or null when unsupported. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return null;
}

export function decodeProtobufRequest(body: Uint8Array, limits: IngestLimits): DecodedRequest {
  let message: unknown;
  try {
    message = ExportTraceServiceRequest.decode(body);
  } catch (e) {
    throw new DecodeError('malformed', `body is not a valid ExportTraceServiceRequest: ${(e as Error).message}`);
  }
  return toSpanRecords(message, limits);
}

export function decodeJsonRequest(body: Uint8Array | string, limits: IngestLimits): DecodedRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (e) {
    throw new DecodeError('malformed', `body is not valid JSON: ${(e as Error).message}`);
  }
  return toSpanRecords(parsed, limits);
}

export function decodeRequest(body: Uint8Array, encoding: OtlpEncoding, limits: IngestLimits): DecodedRequest {
  return encoding === 'protobuf' ? decodeProtobufRequest(body, limits) : decodeJsonRequest(body, limits);
}

/**
 * Inflates a gzip body on the zlib thread pool, stopping as soon as the output would pass
 * `maxBytes`: a decompression bomb costs at most `maxBytes` of memory, never its full size.
 */
export function gunzipBounded(body: Uint8Array, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(body, { maxOutputLength: maxBytes }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        return reject(new DecodeError('too-large', `decompressed body is over the limit of ${maxBytes} bytes`));
      }
      reject(new DecodeError('bad-encoding', `body is not valid gzip: ${err.message}`));
    });
  });
}
