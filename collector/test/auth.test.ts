// FAULTLINE_TOKEN: every /v1/* and /api/* route needs the bearer token; health does not;
// the token never appears in the collector's output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpJson, postJson, testCollector } from './collector.js';
import { span } from './helpers.js';

const TOKEN = 's3cret-token-value';

const ROUTES: [string, string][] = [
  ['POST', '/v1/traces'],
  ['GET', '/api/services'],
  ['GET', '/api/graph'],
  ['GET', '/api/traces'],
  ['GET', '/api/traces/5b8efff798038103d269b633813fc60c'],
  ['GET', '/api/root-causes'],
  ['GET', '/api/stream'],
  ['GET', '/api/config'],
  ['GET', '/api/unknown'],
  ['GET', '/v1/metrics'],
];

describe('bearer token auth', () => {
  let c: Awaited<ReturnType<typeof testCollector>>;
  beforeAll(async () => {
    c = await testCollector({ token: TOKEN, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await c?.close();
    expect(c.logs.join('\n')).not.toContain(TOKEN);
  });

  function request(method: string, path: string, authorization?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization) headers.authorization = authorization;
    return fetch(`${c.url}${path}`, { method, headers, body: method === 'POST' ? JSON.stringify(otlpJson([span({ service: 'auth' })])) : undefined });
  }

  it.each(ROUTES)('%s %s without a token → 401', async (method, path) => {
    const res = await request(method, path);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
  });

  it.each(ROUTES)('%s %s with a wrong token → 401', async (method, path) => {
    expect((await request(method, path, `Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await request(method, path, TOKEN)).status).toBe(401);
  });

  it.each(ROUTES)('%s %s with the token → not 401', async (method, path) => {
    const ac = new AbortController();
    const res = await fetch(`${c.url}${path}`, {
      method,
      signal: ac.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: method === 'POST' ? JSON.stringify(otlpJson([span({ service: 'auth' })])) : undefined,
    });
    expect(res.status).not.toBe(401);
    ac.abort();
  });

  it('lets EventSource clients pass the token as ?access_token= on /api/stream only', async () => {
    const ac = new AbortController();
    const res = await fetch(`${c.url}/api/stream?access_token=${TOKEN}`, { signal: ac.signal });
    expect(res.status).toBe(200);
    ac.abort();
    expect((await fetch(`${c.url}/api/stream?access_token=wrong`)).status).toBe(401);
    expect((await fetch(`${c.url}/api/graph?access_token=${TOKEN}`)).status).toBe(401);
    expect((await postJson(`${c.url}`, otlpJson([]), {})).status).toBe(401);
  });

  it('keeps /healthz and /readyz open', async () => {
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${c.url}/readyz`)).status).toBe(200);
  });
});

describe('public bind without a token', () => {
  it('warns', async () => {
    const c = await testCollector({ host: '0.0.0.0' });
    try {
      expect(c.logs.join('\n')).toMatch(/WARNING: listening on 0\.0\.0\.0 without FAULTLINE_TOKEN/);
    } finally {
      await c.close();
    }
  });

  it('does not warn on loopback', async () => {
    const c = await testCollector({ host: '127.0.0.1' });
    try {
      expect(c.logs.join('\n')).not.toMatch(/WARNING/);
    } finally {
      await c.close();
    }
  });
});
