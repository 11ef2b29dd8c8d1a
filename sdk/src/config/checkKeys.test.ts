import { describe, expect, it } from 'vitest';
import { createClient, init, isConfigError } from '../index.js';
import type { ConfigError } from '../errors/ConfigError.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('options that catch mistakes', () => {
  it.each([
    [() => createClient({ target: 't', baseURL: 'http://x' } as never), 'baseURL', 'baseUrl'],
    [() => createClient({ target: 't', policies: { retry: { maxAttempt: 2 } } } as never), 'policies.retry.maxAttempt', 'policies.retry.maxAttempts'],
    [() => createClient({ target: 't', policies: { breakers: false } } as never), 'policies.breakers', 'policies.breaker'],
    [() => createClient({ target: 't', policies: { timeout: { totalTimeout: 5 } } } as never), 'policies.timeout.totalTimeout', 'policies.timeout.totalTimeoutMs'],
    [() => createClient({ target: 't', policies: { fallback: { handler: () => new Response(), whenn: () => true } } } as never), 'policies.fallback.whenn', 'policies.fallback.when'],
    [() => init({ servicename: 'x' } as never), 'servicename', 'serviceName'],
  ])('an unknown key is a ConfigError naming it and the nearest valid key (%#)', (fn, option, nearest) => {
    const error = configError(fn);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`did you mean "${nearest}"`);
  });

  it('a key nothing like a valid one lists the valid keys', () => {
    expect(configError(() => createClient({ target: 't', zzzzzzzz: 1 } as never)).message).toContain('valid: target, baseUrl, policies, fetch');
  });

  it.each(['127.0.0.1:4318', 'collector:4318', 'ftp://x'])('init rejects the endpoint %s without an http(s) scheme at once', (endpoint) => {
    expect(configError(() => init({ endpoint })).option).toBe('endpoint');
  });
});
