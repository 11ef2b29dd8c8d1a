import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_SERVICE_NAMES, SERVICE_NAMES, type AnyServiceName, type Mode } from './config.js';
import { freePorts } from './ports.js';
import { Supervisor, type ManagedProcess } from './supervisor.js';

export interface ShopOptions {
  mode: Mode;
  /** Which services to start. Default: the six of the shop (the migration runs add `monolith` and `history`). */
  services?: readonly AnyServiceName[];
  /** Fixed ports (the demo puts the gateway on 8080); the rest are picked free. */
  ports?: Partial<Record<AnyServiceName, number>>;
  /** Directory for the SQLite files. Default: a new temp directory, removed by `close`. */
  dataDir?: string;
  otlpEndpoint?: string;
  natsUrl?: string;
  /** Stream name on the shared NATS server; unique per run so runs do not see each other's events. */
  natsStream?: string;
  /** `rabbitmq` sends events over RabbitMQ at `amqpUrl` (stream `natsStream`). Default: nats when natsUrl is set, else http. */
  broker?: 'http' | 'nats' | 'rabbitmq';
  amqpUrl?: string;
  /** `service.namespace` resource attribute of every service: marks one run's spans in a shared collector. */
  namespace?: string;
  chaosEnabled?: boolean;
  /** Extra env for every service (e.g. NAIVE_RETRIES, RATE_LIMIT_RPS). */
  env?: Record<string, string>;
  /** How long each service may take to answer its health check. Default 90 000 ms (tsx compiles on start; CI machines are slow). */
  readyTimeoutMs?: number;
  /** Receives every output line of every service. */
  onLine?: (service: AnyServiceName, line: string) => void;
}

export interface Shop {
  readonly mode: Mode;
  readonly urls: Record<AnyServiceName, string>;
  readonly dbPaths: Record<AnyServiceName, string>;
  readonly supervisor: Supervisor;
  readonly dataDir: string;
  process(name: AnyServiceName): ManagedProcess;
  /** Stops every service; removes the data directory when the shop created it. */
  close(): Promise<void>;
}

/** Starts the shop's services as separate processes, each with its own database file. */
export async function startShop(options: ShopOptions): Promise<Shop> {
  const services = options.services ?? SERVICE_NAMES;
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'faultline-shop-'));
  const urls = {} as Record<AnyServiceName, string>;
  const dbPaths = {} as Record<AnyServiceName, string>;
  const spare = await freePorts(ALL_SERVICE_NAMES.length);
  for (const [i, name] of ALL_SERVICE_NAMES.entries()) {
    urls[name] = `http://127.0.0.1:${options.ports?.[name] ?? spare[i]!}`;
    dbPaths[name] = join(dataDir, `${name}.db`);
  }
  const common: Record<string, string> = {
    MODE: options.mode,
    OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318',
    CHAOS_ENABLED: options.chaosEnabled ? '1' : '0',
    NATS_URL: options.natsUrl ?? '',
    NATS_STREAM: options.natsStream ?? 'SHOP',
    BROKER: options.broker ?? (options.natsUrl ? 'nats' : 'http'),
    AMQP_URL: options.amqpUrl ?? '',
    ...(options.namespace ? { OTEL_RESOURCE_ATTRIBUTES: `service.namespace=${options.namespace}` } : {}),
    ...Object.fromEntries(ALL_SERVICE_NAMES.map((n) => [`${n.toUpperCase()}_URL`, urls[n]])),
    ...options.env,
  };
  const supervisor = new Supervisor();
  for (const name of services) {
    supervisor.add({
      name,
      script: `src/services/${name}/main.ts`,
      env: { ...common, PORT: new URL(urls[name]).port, DB_PATH: dbPaths[name], OTEL_SERVICE_NAME: name },
      healthUrl: `${urls[name]}/healthz`,
      healthService: name,
      ...(options.onLine ? { onLine: (line: string) => options.onLine!(name, line) } : {}),
    });
  }
  try {
    await supervisor.startAll({ readyTimeoutMs: options.readyTimeoutMs ?? 90_000 });
  } catch (err) {
    await supervisor.stopAll(2000);
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    mode: options.mode,
    urls,
    dbPaths,
    supervisor,
    dataDir,
    process: (name) => supervisor.get(name),
    async close() {
      await supervisor.stopAll();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
