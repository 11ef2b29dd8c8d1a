import type { Broker } from '../lib/broker.js';
import type { AnyServiceName, Mode } from '../lib/config.js';
import type { Shop } from '../lib/shop.js';
import type { FaultInjector } from './faults.js';

export interface RunOptions {
  scenario: string;
  mode?: Mode;
  /** Load duration in seconds. Default 20. */
  durationS?: number;
  /** Base request rate. Default 10. */
  rps?: number;
  seed?: number;
  /** Where the services export spans. Default: OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4318. */
  otlpEndpoint?: string;
  /** JetStream for events when set ('' forces HTTP). Default: DEMO_BROKER / NATS_URL. */
  natsUrl?: string;
  /** How events travel; overrides DEMO_BROKER (`rabbitmq` uses `amqpUrl`, default AMQP_URL). */
  broker?: Broker;
  amqpUrl?: string;
  /** `service.namespace` of this run's spans. Default `scenario-<name>-<random>`. */
  namespace?: string;
  /** Longest wait for the shop to settle after the load, ms. Default 45 000. */
  settleTimeoutMs?: number;
  /** Client timeout per request, ms. Default 20 000. */
  requestTimeoutMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Service output lines (for --verbose). */
  onServiceLine?: (service: AnyServiceName, line: string) => void;
  /** Called once the shop is up, before the load starts (tests add their own faults here). */
  onStart?: (shop: Shop, injector: FaultInjector, startMs: number, durationMs: number) => void;
}
