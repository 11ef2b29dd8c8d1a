import { ManagedProcess } from './supervisor.js';

export interface CollectorProcessOptions {
  /** 0 picks a free port. */
  port: number;
  /** OTLP/gRPC port; 0 (default) turns gRPC off so runs never clash on 4317. */
  grpcPort?: number;
  dbPath: string;
  controlUrl?: string;
  onLine?: (line: string) => void;
}

export interface CollectorProcess {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Runs the collector CLI (`collector/src/cli.ts`) as a child process, gRPC off unless `grpcPort` is given. */
export async function startCollectorProcess(options: CollectorProcessOptions): Promise<CollectorProcess> {
  const args = ['--port', String(options.port), '--grpc-port', String(options.grpcPort ?? 0), '--db', options.dbPath];
  if (options.controlUrl) args.push('--control-url', options.controlUrl);
  const proc = new ManagedProcess({
    name: 'collector',
    script: '../collector/src/cli.ts',
    args,
    env: {},
    readyPattern: /listening on (http:\/\/\S+)/,
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  await proc.start({ readyTimeoutMs: 60_000 });
  const url = proc.readyMatch![1]!.replace(/\/$/, '');
  return { url, process: proc, stop: () => proc.stop() };
}
