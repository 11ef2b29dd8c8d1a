// The collector CLI as a real child process (one node process, no wrapper), so
// that SIGKILL hits the process that holds the database, and a crash or a hang
// shows up as what it is.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const pkg = resolve(import.meta.dirname, '..', '..');

export interface CollectorProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<number | NodeJS.Signals | null>;
  alive(): boolean;
  /** Resident memory in bytes (Linux /proc), null when unknown. */
  rssBytes(): number | null;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  dbPath?: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

/** Every process started here, so a failing test still stops them (by PID). */
const started = new Set<ChildProcess>();

export function stopAllCollectors(): void {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  started.clear();
}

export async function startCollectorProcess(options: StartOptions = {}): Promise<CollectorProcess> {
  const args = ['--import', 'tsx', 'src/cli.ts', '--port', '0', '--grpc-port', '0', '--db', options.dbPath ?? ':memory:'];
  const env = { ...process.env, FAULTLINE_DATABASE_URL: '', FAULTLINE_TOKEN: '', FAULTLINE_RETENTION_HOURS: '0', ...options.env };
  const child = spawn(process.execPath, args, { cwd: pkg, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((r) => child.once('exit', (code, signal) => r(code ?? signal)));

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start within ${options.startTimeoutMs ?? 60_000} ms:\n${out}`)), options.startTimeoutMs ?? 60_000);
    const check = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`collector exited (${String(how)}) before listening:\n${out}`));
    });
  });

  const pid = child.pid!;
  return {
    url,
    pid,
    child,
    output: () => out,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    rssBytes: () => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m ? Number(m[1]) * 1024 : null;
      } catch {
        return null;
      }
    },
    kill: async (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(pid, signal);
      await exited;
      started.delete(child);
    },
  };
}
