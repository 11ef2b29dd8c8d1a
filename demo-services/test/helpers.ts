import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollectorProcess, type CollectorProcess } from '../src/lib/collector.js';
import { sleep } from '../src/lib/sleep.js';

export interface TestCollector extends CollectorProcess {
  dir: string;
  close(): Promise<void>;
}

/** A collector child process on a free port with its own temporary database. */
export async function startTestCollector(): Promise<TestCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-e2e-'));
  const collector = await startCollectorProcess({ port: 0, dbPath: join(dir, 'collector.db') });
  return {
    ...collector,
    dir,
    async close() {
      await collector.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as T };
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(intervalMs);
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
