// A port already taken: the CLI names the port, the flag and the env var that change it.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = resolve(import.meta.dirname, '..');
const env = { ...process.env, FAULTLINE_DATABASE_URL: '', FAULTLINE_TOKEN: '', FAULTLINE_PORT: '', FAULTLINE_GRPC_PORT: '' };

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: pkg, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((res) => child.once('exit', (code) => res({ code, stderr })));
}

describe('collector CLI with a port in use', () => {
  let taken: Server;
  let port = 0;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => taken.close(() => r())));

  it('HTTP port: exit 2 naming the port, --port and FAULTLINE_PORT', { timeout: 60_000 }, async () => {
    const r = await run(['--port', String(port), '--grpc-port', '0', '--db', ':memory:']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} (OTLP/HTTP, API and dashboard) is already in use`);
    expect(r.stderr).toContain('--port <n>');
    expect(r.stderr).toContain('FAULTLINE_PORT=<n>');
  });

  it('gRPC port: exit 2 naming the port, --grpc-port and FAULTLINE_GRPC_PORT', { timeout: 60_000 }, async () => {
    const r = await run(['--port', '0', '--grpc-port', String(port), '--db', ':memory:']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} (OTLP/gRPC) is already in use`);
    expect(r.stderr).toContain('--grpc-port <n>');
    expect(r.stderr).toContain('FAULTLINE_GRPC_PORT=<n>');
  });
});
