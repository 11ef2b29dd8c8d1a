// The README's express error handler, run as written on express 4 and 5: a thrown error's
// message and stack never reach the response, the correlation id does.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import express5 from 'express';
import express4 from 'express4';
import { describe, expect, it } from 'vitest';
import { getCorrelationId, middleware } from '../src/index.js';

function handlerBlock(): string {
  const readme = readFileSync(resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Errors without stack traces'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('no error-handler block in README.md');
  return match[1];
}

describe.each([
  ['express 5', express5 as unknown as typeof express4],
  ['express 4', express4],
])('the README error handler on %s', (_name, express) => {
  it('answers 500 with the correlation id and no message or stack', async () => {
    const app = express();
    app.use(middleware());
    app.get('/boom', () => {
      throw new Error('db password is hunter2');
    });
    const logged: unknown[] = [];
    const console = { error: (...args: unknown[]) => logged.push(args) };
    new Function('app', 'getCorrelationId', 'console', handlerBlock())(app, getCorrelationId, console);
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/boom`, { headers: { 'x-correlation-id': 'err-1' } });
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(JSON.parse(text)).toEqual({ error: 'internal error', correlationId: 'err-1' });
      expect(text).not.toMatch(/hunter2|at .*\.ts/);
      expect(logged).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
