import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { sleep } from './sleep.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOG_LINES_MAX = 200;

export interface ProcessSpec {
  /** Name used in logs and errors, e.g. `orders`. */
  name: string;
  /** Script relative to the demo-services package, e.g. `src/services/orders/main.ts`. */
  script: string;
  args?: string[];
  env: Record<string, string>;
  /** URL answering 200 once the process is ready; omitted means ready on spawn. */
  healthUrl?: string;
  /** When set, the health answer must be JSON with this `service`: another process on a reused port does not count. */
  healthService?: string;
  /** When set, ready means an output line matched this (e.g. `listening on (http://\S+)`). */
  readyPattern?: RegExp;
  /** Called with each output line.*/
  onLine?: (line: string) => void;
}

export interface StartOptions {
  /** How long to wait for the health URL. Default 30 000 ms (tsx compiles on first start). */
  readyTimeoutMs?: number;
}

/**
 * One child process run as `node --conditions=@faultline/source --import tsx <script>`
 * (workspace packages from their sources), so that its PID is
 * the service itself: a SIGKILL scenario must hit the service, not a wrapper
 * that would leave it orphaned.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly lines: string[] = [];
  /** The line that matched `readyPattern` on the latest start. */
  readyMatch: RegExpMatchArray | undefined;

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  async start(options: StartOptions = {}): Promise<void> {
    if (this.running) return;
    const child = spawn(process.execPath, ['--conditions=@faultline/source', '--import', 'tsx', this.spec.script, ...(this.spec.args ?? [])], {
      cwd: packageDir,
      env: { ...process.env, ...this.spec.env, FAULTLINE_SUPERVISED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.readyMatch = undefined;
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        if (this.spec.readyPattern && !this.readyMatch) this.readyMatch = line.match(this.spec.readyPattern) ?? undefined;
        this.lines.push(line);
        if (this.lines.length > LOG_LINES_MAX) this.lines.shift();
        this.spec.onLine?.(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    if (this.spec.healthUrl || this.spec.readyPattern) await this.waitReady(options.readyTimeoutMs ?? 30_000);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.spec.name} exited during start:\n${this.lines.slice(-20).join('\n')}`);
      if (!this.spec.healthUrl) {
        if (this.readyMatch) return;
        await sleep(50);
        continue;
      }
      try {
        const res = await fetch(this.spec.healthUrl!, { signal: AbortSignal.timeout(1000) });
        const body = await res.text();
        if (res.ok && (!this.spec.healthService || body.includes(`"service":"${this.spec.healthService}"`))) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${this.spec.name} not healthy after ${timeoutMs} ms:\n${this.lines.slice(-20).join('\n')}`);
  }

  /** SIGKILL: the crash case, no chance to flush or clean up. */
  async kill(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    process.kill(pid, 'SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (this.pid !== undefined) process.kill(pid, 'SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Starts and stops a set of processes; `stopAll` is safe to call more than once. */
export class Supervisor {
  private readonly processes = new Map<string, ManagedProcess>();

  add(spec: ProcessSpec): ManagedProcess {
    if (this.processes.has(spec.name)) throw new Error(`duplicate process ${spec.name}`);
    const proc = new ManagedProcess(spec);
    this.processes.set(spec.name, proc);
    return proc;
  }

  get(name: string): ManagedProcess {
    const proc = this.processes.get(name);
    if (!proc) throw new Error(`unknown process ${name}`);
    return proc;
  }

  all(): ManagedProcess[] {
    return [...this.processes.values()];
  }

  pids(): number[] {
    return this.all().flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
  }

  async startAll(options?: StartOptions): Promise<void> {
    await Promise.all(this.all().map((p) => p.start(options)));
  }

  async stopAll(graceMs?: number): Promise<void> {
    await Promise.all(this.all().map((p) => p.stop(graceMs)));
  }
}
