/**
 * Base class of every error the SDK raises on purpose. The `faultlineCode`
 * brand lets the `isXxxError()` guards work across duplicate package copies,
 * where `instanceof` would fail.
 */
export class FaultlineError extends Error {
  readonly faultlineCode: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.faultlineCode = code;
  }
}

export function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { faultlineCode?: unknown }).faultlineCode === code;
}

export function isFaultlineError(error: unknown): error is FaultlineError {
  return typeof error === 'object' && error !== null && typeof (error as { faultlineCode?: unknown }).faultlineCode === 'string';
}
