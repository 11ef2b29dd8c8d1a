// The processes of the packed test: the collector from its tarball's bin, the README quick start
// in ESM and CommonJS on express 4 or 5, and how to read what reached the collector.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

export interface Proc {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startProc(cmd: string, args: string[], cwd: string, env: Record<string, string>): Proc {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Resolves with the first match of `pattern` in the process output; rejects if it exits first. */
export function waitForOutput(proc: Proc, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolvePromise, reject) => {
    const check = (): boolean => {
      const m = pattern.exec(proc.output());
      if (m) {
        cleanup();
        resolvePromise(m);
      }
      return m !== null;
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`exited (${String(code)}) before ${pattern}:\n${proc.output()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${proc.output()}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      proc.child.stdout!.off('data', check);
      proc.child.stderr!.off('data', check);
      proc.child.off('exit', onExit);
    };
    proc.child.stdout!.on('data', check);
    proc.child.stderr!.on('data', check);
    proc.child.once('exit', onExit);
    check();
  });
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Polls `probe` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** The README's quick-start block, as an ES module, or rewritten to CommonJS. */
export function quickStart(flavour: 'esm' | 'cjs'): string {
  const readme = readFileSync(resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('no quick-start block in sdk/README.md');
  let code = match[1];
  if (flavour === 'cjs') {
    // What the README tells CommonJS users to write instead of the two import lines.
    code = code
      .replace(/^import (\w+) from '([^']+)';$/gm, "const $1 = require('$2');")
      .replace(/^import \{([^}]+)\} from '([^']+)';$/gm, "const {$1} = require('$2');");
    if (code.includes('import ')) throw new Error(`quick start still has imports after the CommonJS rewrite:\n${code}`);
  }
  return code;
}

/**
 * Where an app of the temp project imports `express` as express 4 or 5: the project has express 5
 * at the top and express 4 under the alias `express4`; `e4/node_modules/express` is a copy of the
 * latter, so that the app (and the express instrumentation, which matches the package name)
 * sees `express` at version 4.
 */
export function appDir(projectDir: string, express: 4 | 5): string {
  if (express === 5) return projectDir;
  const dir = join(projectDir, 'e4');
  if (!existsSync(join(dir, 'node_modules', 'express', 'package.json'))) {
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    cpSync(join(projectDir, 'node_modules', 'express4'), join(dir, 'node_modules', 'express'), { recursive: true, dereference: true });
  }
  return dir;
}

export function writeApp(dir: string, name: string, code: string): string {
  const file = join(dir, name);
  writeFileSync(file, code);
  return file;
}

export interface CollectedSpan {
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  kind: string;
  attributes: Record<string, unknown>;
}

/** The trace the collector holds for one correlation id, once `ready` accepts its spans. */
export async function collectedTrace(collectorUrl: string, correlationId: string, ready: (spans: CollectedSpan[]) => boolean): Promise<CollectedSpan[]> {
  return eventually(
    async () => {
      const list = (await (await fetch(`${collectorUrl}/api/traces?correlationId=${correlationId}`)).json()) as Array<{ traceId: string }>;
      const first = list[0];
      if (!first) return undefined;
      const trace = (await (await fetch(`${collectorUrl}/api/traces/${first.traceId}`)).json()) as { spans: CollectedSpan[] };
      return ready(trace.spans) ? trace.spans : undefined;
    },
    20_000,
    `the trace of ${correlationId}`,
  );
}
