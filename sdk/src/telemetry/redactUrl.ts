// url.full without secrets: semantic conventions ask instrumentations to drop credentials and
// to redact the values of query parameters known to carry them.
const SENSITIVE_QUERY_KEYS = new Set([
  'awsaccesskeyid',
  'signature',
  'sig',
  'x-goog-signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'token',
  'access_token',
  'id_token',
  'refresh_token',
  'api_key',
  'apikey',
  'key',
  'password',
  'secret',
  'client_secret',
  'code',
]);
export const REDACTED = 'REDACTED';
const URL_FULL_MAX_CHARS = 2048;

/** `url` with user:password replaced by REDACTED and sensitive query values redacted, clipped to 2048 chars. */
export function redactUrl(url: string): string {
  const hasCredentials = url.indexOf('@') !== -1;
  const query = url.indexOf('?');
  // Fast path: nothing to redact in the common case (no userinfo, no query).
  if (!hasCredentials && query === -1) return url.length > URL_FULL_MAX_CHARS ? url.slice(0, URL_FULL_MAX_CHARS) : url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return REDACTED;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = REDACTED;
    parsed.password = REDACTED;
  }
  let out = parsed.href;
  if (parsed.search !== '') {
    const params = new URLSearchParams(parsed.search);
    let changed = false;
    for (const key of new Set(params.keys())) {
      if (SENSITIVE_QUERY_KEYS.has(key.toLowerCase())) {
        params.set(key, REDACTED);
        changed = true;
      }
    }
    if (changed) {
      parsed.search = params.toString();
      out = parsed.href;
    }
  }
  return out.length > URL_FULL_MAX_CHARS ? out.slice(0, URL_FULL_MAX_CHARS) : out;
}
