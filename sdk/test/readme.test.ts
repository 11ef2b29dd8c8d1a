import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startServer } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

function quickStart(): string {
  const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('no quick-start block in README.md');
  return match[1]!;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('README quick start', () => {
  it('is a dozen readable lines that run as written and export spans over OTLP', async () => {
    const code = quickStart();
    const lines = code.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(14);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);

    const payments = await startServer((_req, res) => res.end('ok'));
    const otlp: Array<{ url?: string; type?: string }> = [];
    const collector = await startServer((req, res) => {
      otlp.push({ url: req.url, type: req.headers['content-type'] });
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    });
    const port = await freePort();
    // Inside the package so that `@faultline/sdk` resolves to itself.
    const file = join(here, `.quickstart-${process.pid}.ts`);
    writeFileSync(file, code);
    const child = spawn(process.execPath, ['--conditions=@faultline/source', '--import', 'tsx', file], {
      env: { ...process.env, PORT: String(port), PAYMENTS_URL: payments.url, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    try {
      let body: { payments?: number; correlationId?: string } | undefined;
      for (let i = 0; i < 100 && body === undefined; i++) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/orders/1`, { headers: { 'x-correlation-id': 'readme-1' } });
          body = (await res.json()) as typeof body;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      expect(body, output).toEqual({ payments: 200, correlationId: 'readme-1' });
      // The batch processor exports within its delay (1 s by default).
      for (let i = 0; i < 50 && otlp.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(otlp[0]).toEqual({ url: '/v1/traces', type: 'application/x-protobuf' });
    } finally {
      child.kill('SIGKILL');
      rmSync(file, { force: true });
      await payments.close();
      await collector.close();
    }
  });
});
