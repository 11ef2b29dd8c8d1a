/** A messaging option that cannot work (bad batch size, empty stream name...). */
export class MessagingConfigError extends Error {
  readonly isMessagingConfigError = true;
  override readonly name = 'MessagingConfigError';
}

export function isMessagingConfigError(e: unknown): e is MessagingConfigError {
  return typeof e === 'object' && e !== null && (e as { isMessagingConfigError?: unknown }).isMessagingConfigError === true;
}
