/** Why a request body was refused as a whole. `status` is the HTTP answer it maps to. */
export type DecodeErrorReason = 'malformed' | 'invalid-id' | 'too-large' | 'bad-encoding';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly isFaultlineDecodeError = true;
  constructor(
    readonly reason: DecodeErrorReason,
    message: string,
  ) {
    super(message);
  }

  get status(): 400 | 413 {
    return this.reason === 'too-large' ? 413 : 400;
  }
}

/** Works across duplicate copies of this module. */
export function isDecodeError(e: unknown): e is DecodeError {
  return typeof e === 'object' && e !== null && (e as { isFaultlineDecodeError?: unknown }).isFaultlineDecodeError === true;
}
