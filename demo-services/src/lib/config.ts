export const SERVICE_NAMES = ['gateway', 'orders', 'payments', 'inventory', 'shipping', 'notifications'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** Processes of the migration runs only: the monolith and the order-history read model. */
export const MIGRATION_SERVICE_NAMES = ['monolith', 'history'] as const;
export type MigrationServiceName = (typeof MIGRATION_SERVICE_NAMES)[number];
export type AnyServiceName = ServiceName | MigrationServiceName;
export const ALL_SERVICE_NAMES: readonly AnyServiceName[] = [...SERVICE_NAMES, ...MIGRATION_SERVICE_NAMES];
export type Mode = 'naive' | 'resilient';

export interface ServiceConfig {
  name: AnyServiceName;
  port: number;
  /** Bind address. Default 127.0.0.1; docker-compose sets 0.0.0.0. */
  host: string;
  dbPath: string;
  mode: Mode;
  /** Base URL of every other service, from `<NAME>_URL` (monolith 8086, history 8087 by default). */
  urls: Record<AnyServiceName, string>;
  /** JetStream when set; otherwise events travel over HTTP. */
  natsUrl: string | undefined;
  /** Stream/subject prefix so parallel runs on one NATS server stay apart. */
  natsStream: string;
  /** How events travel (resilient mode): BROKER, else `nats` when NATS_URL is set, else `http`. */
  broker: 'http' | 'nats' | 'rabbitmq';
  /** RabbitMQ URL when broker is `rabbitmq` (AMQP_URL). */
  amqpUrl: string;
  chaosEnabled: boolean;
  /** Naive mode only: blind immediate retries per call, the retry-storm ingredient. Default 0. */
  naiveRetries: number;
  /** Gateway only: admitted requests per second before 429. Default 200. */
  rateLimitRps: number;
  /**
   * Migration runs (`STRANGLER=1`): the gateway routes between the monolith and
   * the extracted services, and the services replicate the monolith's events.
   */
  strangler: boolean;
}

function intEnv(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${key} must be a non-negative integer, got ${raw}`);
  return value;
}

export function parseMode(raw: string | undefined): Mode {
  if (raw === undefined || raw === '' || raw === 'resilient') return 'resilient';
  if (raw === 'naive') return 'naive';
  throw new Error(`mode must be naive or resilient, got ${raw}`);
}

function parseBroker(env: NodeJS.ProcessEnv): ServiceConfig['broker'] {
  const raw = env.BROKER || (env.NATS_URL ? 'nats' : 'http');
  if (raw === 'http' || raw === 'nats' || raw === 'rabbitmq') return raw;
  throw new Error(`BROKER must be http, nats or rabbitmq, got ${raw}`);
}

export function readConfig(name: AnyServiceName, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const urls = {} as Record<AnyServiceName, string>;
  ALL_SERVICE_NAMES.forEach((service, i) => {
    urls[service] = env[`${service.toUpperCase()}_URL`] ?? `http://127.0.0.1:${8080 + i}`;
  });
  const port = intEnv(env, 'PORT', Number(new URL(urls[name]).port));
  return {
    name,
    port,
    host: env.HOST || '127.0.0.1',
    dbPath: env.DB_PATH ?? `./.data/${name}.db`,
    mode: parseMode(env.MODE),
    urls,
    natsUrl: env.NATS_URL || undefined,
    natsStream: env.NATS_STREAM || 'SHOP',
    broker: parseBroker(env),
    amqpUrl: env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
    chaosEnabled: env.CHAOS_ENABLED === '1' || env.CHAOS_ENABLED === 'true',
    naiveRetries: intEnv(env, 'NAIVE_RETRIES', 0),
    rateLimitRps: intEnv(env, 'RATE_LIMIT_RPS', 200),
    strangler: env.STRANGLER === '1' || env.STRANGLER === 'true',
  };
}
