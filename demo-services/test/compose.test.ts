import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const COMPOSE = '/usr/bin/docker-compose';
const file = join(import.meta.dirname, '..', '..', 'docker-compose.yml');
const missing = !existsSync(COMPOSE);
if (missing && process.env.REQUIRE_SERVICES === '1') throw new Error(`${COMPOSE} is required (REQUIRE_SERVICES=1)`);

function compose(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(COMPOSE, ['-f', file, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(missing)(missing ? `docker-compose.yml (skipped: ${COMPOSE} not installed)` : 'docker-compose.yml (validated by docker-compose, no engine needed)', () => {
  it('is a valid compose file', () => {
    const r = compose('config', '-q');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('validates the collector scale-out file too: two collectors sharing one PostgreSQL', () => {
    const scaleOut = join(import.meta.dirname, '..', '..', 'collector', 'docker-compose.yml');
    const check = spawnSync(COMPOSE, ['-f', scaleOut, 'config', '-q'], { encoding: 'utf8', timeout: 60_000 });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    const services = spawnSync(COMPOSE, ['-f', scaleOut, 'config', '--services'], { encoding: 'utf8', timeout: 60_000 }).stdout.trim().split('\n').sort();
    expect(services).toEqual(['collector-a', 'collector-b', 'postgres']);
  });

  it('runs the collector on PostgreSQL, NATS, and every shop service', () => {
    // docker-compose v1 lists profile-only services (rabbitmq, the migration's) here too; v2 does not.
    const profileOnly = new Set(['rabbitmq', 'monolith', 'history']);
    const services = compose('config', '--services').stdout.trim().split('\n').filter((n) => !profileOnly.has(n)).sort();
    expect(services).toEqual(['collector', 'gateway', 'inventory', 'nats', 'notifications', 'orders', 'payments', 'postgres', 'shipping']);
  });

  it('has a rabbitmq profile: the broker joins, and DEMO_BROKER=rabbitmq points every shop service at it', () => {
    const r = spawnSync(COMPOSE, ['-f', file, '--profile', 'rabbitmq', 'config'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, DEMO_BROKER: 'rabbitmq' } });
    expect(r.status, r.stderr).toBe(0);
    const services = spawnSync(COMPOSE, ['-f', file, '--profile', 'rabbitmq', 'config', '--services'], { encoding: 'utf8', timeout: 60_000 }).stdout.trim().split('\n');
    expect(services).toContain('rabbitmq');
    for (const name of ['orders', 'payments', 'inventory', 'shipping', 'notifications']) {
      const block = r.stdout.split(/\n {2}(?=\S)/).find((b) => b.startsWith(`${name}:`));
      expect(block, name).toContain('BROKER: rabbitmq');
      expect(block, name).toContain('AMQP_URL: amqp://guest:guest@rabbitmq:5672');
    }
  });

  it('has a migration profile: the monolith and the order-history view join, and STRANGLER=1 reaches every shop service', () => {
    const r = spawnSync(COMPOSE, ['-f', file, '--profile', 'migration', 'config'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, STRANGLER: '1' } });
    expect(r.status, r.stderr).toBe(0);
    for (const [name, port] of [['monolith', '8086'], ['history', '8087']] as const) {
      const block = r.stdout.split(/\n {2}(?=\S)/).find((b) => b.startsWith(`${name}:`));
      expect(block, name).toBeDefined();
      expect(block).toContain(`PORT: '${port}'`);
      expect(block).toContain(`DB_PATH: /data/${name}.db`);
      expect(block).toContain(`demo-services/src/services/${name}/main.ts`);
    }
    for (const name of ['gateway', 'orders', 'payments', 'inventory', 'shipping', 'monolith']) {
      const block = r.stdout.split(/\n {2}(?=\S)/).find((b) => b.startsWith(`${name}:`));
      expect(block, name).toMatch(/STRANGLER: '1'/);
      expect(block).toContain('MONOLITH_URL: http://monolith:8086');
    }
  });

  it('gives every shop service its port, own database, collector endpoint, NATS and peers', () => {
    const resolved = compose('config').stdout;
    expect(resolved).toMatch(/FAULTLINE_DATABASE_URL: postgres:\/\/\S+@postgres:5432\//);
    const ports: Record<string, string> = { gateway: '8080', orders: '8081', payments: '8082', inventory: '8083', shipping: '8084', notifications: '8085' };
    for (const [name, port] of Object.entries(ports)) {
      const block = resolved.split(/\n {2}(?=\S)/).find((b) => b.startsWith(`${name}:`));
      expect(block, name).toBeDefined();
      expect(block).toContain(`PORT: '${port}'`);
      expect(block).toContain(`DB_PATH: /data/${name}.db`);
      expect(block).toContain('OTEL_EXPORTER_OTLP_ENDPOINT: http://collector:4318');
      expect(block).toContain('NATS_URL: nats://nats:4222');
      expect(block).toContain('HOST: 0.0.0.0');
      for (const [peer, peerPort] of Object.entries(ports)) expect(block).toContain(`${peer.toUpperCase()}_URL: http://${peer}:${peerPort}`);
    }
  });
});

