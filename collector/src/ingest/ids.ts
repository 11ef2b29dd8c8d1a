import { DecodeError } from './DecodeError.js';

const HEX = /^[0-9a-fA-F]*$/;

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Reads a trace or span id given as protobuf bytes or, in OTLP JSON, as hex (the spec's
 * mapping) or base64 (what generic protobuf JSON encoders emit). Returns lowercase hex,
 * '' when absent. An id of the wrong length is an error: the request is refused whole.
 */
const pathOf = (p: string | (() => string)) => (typeof p === 'string' ? p : p());

export function readId(value: unknown, byteLength: 8 | 16, lazyPath: string | (() => string)): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Uint8Array) {
    if (value.byteLength === 0) return '';
    if (value.byteLength !== byteLength) throw new DecodeError('invalid-id', `${pathOf(lazyPath)} must be ${byteLength} bytes, got ${value.byteLength}`);
    return hexOf(value);
  }
  if (typeof value !== 'string') throw new DecodeError('invalid-id', `${pathOf(lazyPath)} must be a hex string`);
  if (value === '') return '';
  if (value.length === byteLength * 2 && HEX.test(value)) return value.toLowerCase();
  const decoded = Buffer.from(value, 'base64');
  if (decoded.byteLength === byteLength && decoded.toString('base64').replace(/=+$/, '') === value.replace(/=+$/, '')) {
    return decoded.toString('hex');
  }
  throw new DecodeError('invalid-id', `${pathOf(lazyPath)} must be ${byteLength * 2} hex characters`);
}

export function isZeroId(hex: string): boolean {
  // Called on every id of every span: a loop, not a regular expression.
  if (hex.length === 0) return false;
  for (let i = 0; i < hex.length; i++) if (hex.charCodeAt(i) !== 48) return false;
  return true;
}

export const TRACE_ID_PATTERN = /^[0-9a-f]{32}$/;
