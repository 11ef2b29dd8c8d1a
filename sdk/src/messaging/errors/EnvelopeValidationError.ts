/**
 * Thrown (producer side) or recorded as a dead-letter reason (consumer side)
 * when an event does not match the envelope rules. The guard works across
 * duplicate copies of the package, which `instanceof` does not.
 */
export class EnvelopeValidationError extends Error {
  readonly isEnvelopeValidationError = true;
  override readonly name = 'EnvelopeValidationError';
  constructor(
    message: string,
    /** Every rule the event broke, e.g. `type: must be 1-128 chars of [A-Za-z0-9._-]`. */
    readonly problems: readonly string[],
  ) {
    super(message);
  }
}

export function isEnvelopeValidationError(e: unknown): e is EnvelopeValidationError {
  return typeof e === 'object' && e !== null && (e as { isEnvelopeValidationError?: unknown }).isEnvelopeValidationError === true;
}
