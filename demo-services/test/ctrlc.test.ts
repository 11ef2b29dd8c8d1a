import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../src/lib/ports.js';
import { eventually } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Runs a root `pnpm` script in its own process group and, once `ready` shows,
 * sends SIGINT to the whole group: what Ctrl-C in a terminal does.
 */
async function ctrlC(args: string[], ready: string, env: Record<string, string>, whileUp?: (output: string) => Promise<void>): Promise<{ code: number | null; output: string }> {
  const child = spawn('pnpm', args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const seen = await eventually(async () => (output.includes(ready) ? true : undefined), 150_000, 100);
    expect(seen, output.slice(-3000)).toBe(true);
    await whileUp?.(output);
  } finally {
    process.kill(-child.pid!, 'SIGINT');
  }
  const code = await exited;
  return { code, output };
}

describe('Ctrl-C after a clean start exits 0, without an ELIFECYCLE error from pnpm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-ctrlc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pnpm collector', { timeout: 180_000 }, async () => {
    const { code, output } = await ctrlC(['collector', '--port', '0', '--grpc-port', '0', '--db', ':memory:'], 'listening on', {});
    expect(output).toContain('SIGINT received, stopping');
    expect(output).not.toContain('ELIFECYCLE');
    expect(code, output).toBe(0);
  });

  it('pnpm demo: its banner\'s curl places an order, gRPC listens where it says; then Ctrl-C', { timeout: 240_000 }, async () => {
    const [collectorPort, controlPort, gatewayPort, grpcPort] = await freePorts(4);
    const { code, output } = await ctrlC(['demo'], 'Ctrl-C stops everything', {
      FAULTLINE_PORT: String(collectorPort),
      FAULTLINE_CONTROL_PORT: String(controlPort),
      FAULTLINE_GRPC_PORT: String(grpcPort),
      GATEWAY_PORT: String(gatewayPort),
      DEMO_DATA_DIR: dir,
      DEMO_BROKER: 'http',
      NATS_URL: '',
    }, async (banner) => {
      const post = /curl -s -X POST (\S+) -H '([^:]+): ([^']+)' -d '([^']+)'/.exec(banner);
      expect(post, banner).not.toBeNull();
      const res = await fetch(post![1]!, { method: 'POST', headers: { [post![2]!]: post![3]! }, body: post![4]! });
      expect([201, 202]).toContain(res.status);
      const { orderId } = (await res.json()) as { orderId: string };
      const get = /curl -s (\S+)\/<orderId/.exec(banner);
      const order = await fetch(`${get![1]}/${orderId}`);
      expect(order.status).toBe(200);
      expect(await order.json()).toMatchObject({ orderId, sku: 'sku-1', qty: 1 });
      expect(banner).toContain(`127.0.0.1:${grpcPort} (gRPC)`);
      await new Promise<void>((resolve, reject) => {
        const s = connect(grpcPort!, '127.0.0.1', () => { s.destroy(); resolve(); });
        s.once('error', reject);
      });
    });
    expect(output).toContain('[demo] stopped');
    expect(output).not.toContain('ELIFECYCLE');
    expect(code, output.slice(-2000)).toBe(0);
  });
});

describe('pnpm demo with a port already in use', () => {
  it('exits 2 naming the port and the variable that moves it', { timeout: 60_000 }, async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const [collectorPort, controlPort] = await freePorts(2);
      const child = spawn(process.execPath, ['--conditions=@faultline/source', '--import', 'tsx', 'src/demo.ts'], {
        cwd: join(import.meta.dirname, '..'),
        env: { ...process.env, FAULTLINE_PORT: String(collectorPort), FAULTLINE_CONTROL_PORT: String(controlPort), GATEWAY_PORT: String(port), FAULTLINE_GRPC_PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(2);
      expect(stderr).toContain(`port ${port} for the shop gateway is already in use; choose another with GATEWAY_PORT=<port>`);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
