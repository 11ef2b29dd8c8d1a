// One error type for everything the UI can be told about a failed request, so
// every view can say what went wrong and how to fix it.
export type ApiErrorKind = 'unreachable' | 'unauthorized' | 'not-found' | 'bad-request' | 'server' | 'invalid-response';

export class ApiError extends Error {
  constructor(
    public readonly kind: ApiErrorKind,
    message: string,
    public readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiError(e: unknown): e is ApiError {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'ApiError';
}

/** What the user should do about an error, in one sentence. */
export function remedyFor(e: ApiError): string {
  switch (e.kind) {
    case 'unreachable':
      return 'The collector is not answering. Start it with `pnpm collector` (or `pnpm demo`) and this page retries on its own.';
    case 'unauthorized':
      return 'The collector requires a token (FAULTLINE_TOKEN). Enter it below; it is kept in this browser only.';
    case 'not-found':
      return 'Nothing with that id is stored: it may have been pruned by retention or never been sent.';
    case 'bad-request':
      return 'The collector rejected the request parameters; check the filters and time range.';
    case 'server':
      return 'The collector failed to answer; see its log output.';
    case 'invalid-response':
      return 'The collector answered with an unexpected shape: the dashboard and collector versions may not match.';
  }
}
