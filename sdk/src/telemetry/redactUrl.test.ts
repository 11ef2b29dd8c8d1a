import { describe, expect, it } from 'vitest';
import { redactUrl } from './redactUrl.js';

describe('url.full redaction', () => {
  it.each([
    ['http://127.0.0.1:8082/orders/1', 'http://127.0.0.1:8082/orders/1'],
    ['https://user:pa55@api.example.com/x', 'https://REDACTED:REDACTED@api.example.com/x'],
    ['https://s3.example.com/o?X-Amz-Signature=abc&part=1', 'https://s3.example.com/o?X-Amz-Signature=REDACTED&part=1'],
    ['http://h/p?access_token=t0k&sig=s&q=shoes', 'http://h/p?access_token=REDACTED&sig=REDACTED&q=shoes'],
    ['http://h/p?q=1', 'http://h/p?q=1'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('clips to 2048 chars', () => {
    expect(redactUrl(`http://h/${'a'.repeat(5000)}`)).toHaveLength(2048);
  });
});
