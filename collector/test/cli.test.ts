// `pnpm collector` as a real child process: the listening line, --help, clean SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const pkg = resolve(import.meta.dirname, '..');
const tsx = resolve(pkg, '..', 'node_modules', '.bin', 'tsx');
const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
const env = { ...process.env, FAULTLINE_DATABASE_URL: '', FAULTLINE_TOKEN: '' };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('collector CLI', () => {
  it('--help documents every flag and environment variable', () => {
    const r = spawnSync(tsx, ['src/cli.ts', '--help'], { cwd: pkg, env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const word of ['--port', '--host', '--grpc-port', '--db', '--control-url', 'FAULTLINE_PORT', 'FAULTLINE_HOST', 'FAULTLINE_GRPC_PORT', 'FAULTLINE_DB', 'FAULTLINE_DATABASE_URL', 'FAULTLINE_TOKEN', 'FAULTLINE_RETENTION_HOURS', 'FAULTLINE_CONTROL_URL', 'FAULTLINE_METRICS_MAX_SERIES', 'FAULTLINE_ALERT_RULES', 'FAULTLINE_ALERTMANAGER_URL', 'FAULTLINE_ALERT_WEBHOOK_URL', 'FAULTLINE_TX_STUCK_MS']) {
      expect(r.stdout).toContain(word);
    }
  });

  it('refuses a bad alert rules file with exit status 2 and a message naming the field', () => {
    const rules = join(dir, 'bad-rules.yaml');
    writeFileSync(rules, 'rules:\n  - name: DependencyFailing\n    threshold: 7\n');
    const r = spawnSync(tsx, ['src/cli.ts', '--port', '0', '--grpc-port', '0', '--db', ':memory:'], { cwd: pkg, env: { ...env, FAULTLINE_ALERT_RULES: rules }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`FAULTLINE_ALERT_RULES ${rules}: rules[0].threshold: must be a number from 0 to 1`);
  });

  it('refuses an unknown flag or a bad port with exit status 2', () => {
    expect(spawnSync(tsx, ['src/cli.ts', '--nope'], { cwd: pkg, env, encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync(tsx, ['src/cli.ts', '--port', 'abc'], { cwd: pkg, env, encoding: 'utf8' }).status).toBe(2);
  });

  it('prints the real port with --port 0, serves, and stops cleanly on SIGTERM', async () => {
    const child = spawn(tsx, ['src/cli.ts', '--port', '0', '--grpc-port', '0', '--db', join(dir, 'cli.db')], { cwd: pkg, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listening line in: ${out}`)), 20_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/[^\s]+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolveUrl(m[1]!);
          }
        });
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(url).not.toMatch(/:0$/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
