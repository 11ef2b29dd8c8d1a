import { Blackhole } from '../lib/blackhole.js';
import type { Fault } from '../lib/chaos.js';
import type { ServiceName } from '../lib/config.js';
import type { Shop } from '../lib/shop.js';
import type { FaultRecorder } from './faultSpans.js';

export type FaultKind = 'down' | 'spike' | Fault['kind'];

export interface FaultRecord {
  service: ServiceName;
  kind: FaultKind;
  startMs: number;
  endMs?: number;
}

/**
 * Injects faults into a running shop for real: `down` SIGKILLs the process and
 * black-holes its port until it is restarted; the others go through the
 * service's chaos hook (which records a `fault.injected` span event).
 */
export class FaultInjector {
  readonly log: FaultRecord[] = [];
  private readonly holes = new Map<ServiceName, Blackhole>();
  private readonly active = new Map<ServiceName, FaultRecord>();
  private readonly queues = new Map<ServiceName, Promise<unknown>>();

  constructor(
    private readonly shop: Shop,
    /** Records `down` faults on spans; chaos faults are recorded by the services' own hooks. */
    private readonly recorder?: FaultRecorder,
  ) {}

  /** One operation per service at a time: a restart still in progress must finish before the next kill. */
  private serial<T>(service: ServiceName, op: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(service) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(op);
    this.queues.set(service, next.catch(() => undefined));
    return next;
  }

  down(service: ServiceName): Promise<void> {
    return this.serial(service, () => this.downNow(service));
  }

  chaos(service: ServiceName, fault: Fault): Promise<void> {
    return this.serial(service, () => this.chaosNow(service, fault));
  }

  /** Ends the service's fault: restarts a downed service (and waits until healthy), clears chaos. */
  end(service: ServiceName): Promise<void> {
    return this.serial(service, () => this.endNow(service));
  }

  private async downNow(service: ServiceName): Promise<void> {
    if (this.active.has(service)) await this.endNow(service);
    const record: FaultRecord = { service, kind: 'down', startMs: Date.now() };
    this.active.set(service, record);
    this.log.push(record);
    await this.shop.process(service).kill();
    this.recorder?.injected(record);
    const port = Number(new URL(this.shop.urls[service]).port);
    this.holes.set(service, await Blackhole.open(port));
  }

  private async chaosNow(service: ServiceName, fault: Fault): Promise<void> {
    if (this.active.has(service)) await this.endNow(service);
    const res = await fetch(`${this.shop.urls[service]}/__chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`${service} refused the fault: HTTP ${res.status} ${await res.text()}`);
    const record: FaultRecord = { service, kind: fault.kind, startMs: Date.now() };
    this.active.set(service, record);
    this.log.push(record);
  }

  private async endNow(service: ServiceName): Promise<void> {
    const record = this.active.get(service);
    if (!record) return;
    this.active.delete(service);
    if (record.kind === 'down') {
      await this.holes.get(service)?.close();
      this.holes.delete(service);
      record.endMs = Date.now();
      await this.shop.process(service).start();
    } else {
      record.endMs = Date.now();
      await fetch(`${this.shop.urls[service]}/__chaos`, { method: 'DELETE', signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    }
  }

  /** Frees black-holed ports without restarting anything: for shutdown paths. */
  async releasePorts(): Promise<void> {
    await Promise.all([...this.holes.values()].map((h) => h.close()));
    this.holes.clear();
    for (const record of this.active.values()) record.endMs ??= Date.now();
    this.active.clear();
  }

  activeFaults(): FaultRecord[] {
    return [...this.active.values()];
  }

  async endAll(): Promise<void> {
    await Promise.all([...this.active.keys()].map((s) => this.end(s)));
  }
}
