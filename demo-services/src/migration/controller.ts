import { sleep } from '../lib/sleep.js';
import { ROUTE_SPECS, findRoute, type RouteSpec } from '../services/gateway/routing.js';
import { judgeCanary, resolveThresholds, stageFigures, type CanaryThresholds, type SeriesPoint } from './canary.js';
import { postAnnotation, readEdgeSeries } from './collectorApi.js';

/** One weight change, as the scenario report lists it. */
export interface MigrationStep {
  route: string;
  fromWeight: number;
  toWeight: number;
  atMs: number;
  /**
   * `ok`: the stage at `toWeight` passed its canary check; `failed`: it did not;
   * `rollback`: the automatic return to the last good weight; `set`: changed by hand or
   * without a check (a big bang), `pending` while the stage runs.
   */
  outcome: 'ok' | 'failed' | 'rollback' | 'set' | 'pending';
}

export interface MigrationOptions {
  /** Weights a canary step goes through, percent. Default 5, 25, 50, 100. */
  stagesPct?: number[];
  /** How long each stage runs before it is judged, ms. Default 30 000 (scenarios use 4 000). */
  stageMs?: number;
  /** Wait after a stage for its spans to reach the collector, ms. Default 1 500. */
  flushMs?: number;
  /** Extra stage lengths granted while the new side has too few requests to judge. Default 3; then the step rolls back. */
  extraStagesMax?: number;
  thresholds?: Partial<CanaryThresholds>;
}

interface Resolved {
  stagesPct: number[];
  stageMs: number;
  flushMs: number;
  extraStagesMax: number;
  thresholds: CanaryThresholds;
}

export function resolveMigrationOptions(o: MigrationOptions = {}): Resolved {
  const stagesPct = o.stagesPct ?? [5, 25, 50, 100];
  if (stagesPct.length === 0 || stagesPct.some((w, i) => !Number.isInteger(w) || w < 1 || w > 100 || (i > 0 && w <= stagesPct[i - 1]!))) {
    throw new Error('stagesPct must be rising integer percentages within 1..100');
  }
  const stageMs = o.stageMs ?? 30_000;
  if (!(stageMs >= 500)) throw new Error('stageMs must be at least 500');
  return { stagesPct, stageMs, flushMs: o.flushMs ?? 1500, extraStagesMax: o.extraStagesMax ?? 3, thresholds: resolveThresholds(o.thresholds) };
}

export interface ControllerDeps {
  gatewayUrl: string;
  collectorUrl: string;
  log?: (line: string) => void;
  /** Earliest time series are read from (a run's start); default: when the controller was made. */
  sinceMs?: number;
  /** The shop's `service.namespace`, when it has one: series and annotations are kept to it. */
  namespace?: string;
}

/**
 * Drives a strangler migration: sets route weights on the gateway, records
 * every change as a collector annotation, and runs canary steps judged on the
 * collector's figures (`gateway → <service>` against `gateway → monolith`),
 * rolling back on its own when the new side is worse beyond the margin.
 */
export class MigrationController {
  readonly steps: MigrationStep[] = [];
  rollbacks = 0;
  /** Why each rollback happened, in order. */
  readonly rollbackReasons: string[] = [];
  /** Annotations the collector did not take (kept so a report can say so). */
  annotationFailures = 0;
  private readonly options: Resolved;
  private readonly log: (line: string) => void;
  private readonly sinceMs: number;

  constructor(
    private readonly deps: ControllerDeps,
    options: MigrationOptions = {},
  ) {
    this.options = resolveMigrationOptions(options);
    this.log = deps.log ?? (() => undefined);
    this.sinceMs = deps.sinceMs ?? Date.now();
  }

  get settings(): Resolved {
    return this.options;
  }

  async weights(): Promise<Record<string, number>> {
    const res = await gatewayCall(`${this.deps.gatewayUrl}/__routes`, {});
    if (!res.ok) throw new Error(`gateway answered ${res.status} to GET /__routes`);
    const body = (await res.json()) as { routes: { route: string; weight: number }[] };
    return Object.fromEntries(body.routes.map((r) => [r.route, r.weight]));
  }

  /** Sets a route's weight on the gateway and annotates it; returns the step (its outcome may be updated later). */
  async setWeight(routeName: string, weight: number, outcome: MigrationStep['outcome'], why?: string): Promise<MigrationStep> {
    const spec = mustRoute(routeName);
    const res = await gatewayCall(`${this.deps.gatewayUrl}/__routes/${spec.name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ weight }),
    });
    const body = (await res.json()) as { fromWeight?: number; error?: string };
    if (!res.ok) throw new Error(`gateway refused weight ${weight} for ${spec.name}: ${body.error ?? res.status}`);
    const step: MigrationStep = { route: spec.prefix, fromWeight: body.fromWeight ?? 0, toWeight: weight, atMs: Date.now(), outcome };
    this.steps.push(step);
    const rollback = outcome === 'rollback';
    const text = rollback
      ? `canary rollback: ${spec.prefix} back to ${weight}% on ${spec.service} (${why ?? 'new side worse'})`
      : `route ${spec.prefix}: ${step.fromWeight}% → ${weight}% on ${spec.service}${why ? ` (${why})` : ''}`;
    this.log(text);
    const posted = await postAnnotation(this.deps.collectorUrl, {
      kind: rollback ? 'canary.rollback' : 'route.weight',
      ...(this.deps.namespace ? { namespace: this.deps.namespace } : {}),
      service: spec.service,
      timeMs: step.atMs,
      text,
      attributes: { route: spec.prefix, fromWeight: step.fromWeight, toWeight: weight, ...(why ? { reason: why.slice(0, 500) } : {}) },
    });
    if (!posted.ok) {
      if (this.annotationFailures === 0) this.log(`collector did not take the annotation: ${posted.error}`);
      this.annotationFailures += 1;
    }
    return step;
  }

  private async snapshot(spec: RouteSpec): Promise<{ candidate: SeriesPoint[]; baseline: SeriesPoint[] }> {
    const window = { fromMs: Math.floor(this.sinceMs / 60_000) * 60_000, toMs: Date.now() + 60_000, ...(this.deps.namespace ? { namespace: this.deps.namespace } : {}) };
    // A collector busy with ingest may miss one answer; the reads change nothing, so they are repeated.
    for (let attempt = 1; ; attempt++) {
      try {
        const [candidate, baseline] = await Promise.all([
          readEdgeSeries(this.deps.collectorUrl, { source: 'gateway', target: spec.service, ...window }),
          readEdgeSeries(this.deps.collectorUrl, { source: 'gateway', target: 'monolith', ...window }),
        ]);
        return { candidate, baseline };
      } catch (err) {
        if (attempt >= GATEWAY_ATTEMPTS_MAX) throw err;
        this.log(`collector read failed (${(err as Error).message}); asking again`);
      }
    }
  }

  /**
   * Raises the route through the stages; after each, compares the new side
   * with the monolith. Returns true when the route reached 100%, false after
   * an automatic rollback to the last good stage.
   */
  async canary(routeName: string, signal?: AbortSignal): Promise<boolean> {
    const spec = mustRoute(routeName);
    const { stagesPct, stageMs, flushMs, extraStagesMax, thresholds } = this.options;
    let lastGood = (await this.weights())[spec.name] ?? 0;
    for (const weight of stagesPct.filter((w) => w > lastGood)) {
      const before = await this.snapshot(spec);
      const step = await this.setWeight(spec.name, weight, 'pending', 'canary stage');
      let verdict: ReturnType<typeof judgeCanary> = { verdict: 'wait', reason: '' };
      for (let extra = 0; extra <= extraStagesMax && verdict.verdict === 'wait'; extra++) {
        await sleep(stageMs + flushMs, signal);
        if (signal?.aborted) return false;
        const after = await this.snapshot(spec);
        verdict = judgeCanary(stageFigures(before.candidate, after.candidate), stageFigures(before.baseline, after.baseline), thresholds);
      }
      this.log(`canary ${spec.prefix} at ${weight}%: ${verdict.verdict} (${verdict.reason})`);
      if (verdict.verdict === 'promote') {
        step.outcome = 'ok';
        lastGood = weight;
        continue;
      }
      step.outcome = 'failed';
      const reason = verdict.verdict === 'wait' ? `not enough traffic to judge: ${verdict.reason}` : verdict.reason;
      await this.setWeight(spec.name, lastGood, 'rollback', reason);
      this.rollbacks += 1;
      this.rollbackReasons.push(`${spec.prefix} at ${weight}%: ${reason}`);
      return false;
    }
    return true;
  }

  /** The big bang: every route to the services at once, without a check. */
  async flipAll(): Promise<void> {
    for (const r of ROUTE_SPECS) await this.setWeight(r.name, 100, 'set', 'big bang');
  }
}

const GATEWAY_ATTEMPTS_MAX = 3;
const GATEWAY_ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * Route reads and weight changes are idempotent (a PUT sets a value), so a
 * gateway too busy to answer in time is simply asked again.
 */
async function gatewayCall(url: string, init: RequestInit): Promise<Response> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= GATEWAY_ATTEMPTS_MAX; attempt++) {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(GATEWAY_ATTEMPT_TIMEOUT_MS) });
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`gateway did not answer ${init.method ?? 'GET'} ${new URL(url).pathname} in ${GATEWAY_ATTEMPTS_MAX} attempts: ${(lastError as Error).message}`);
}

function mustRoute(name: string): RouteSpec {
  const spec = findRoute(name);
  if (!spec) throw new Error(`unknown route ${name}; one of ${ROUTE_SPECS.map((r) => r.name).join(', ')}`);
  return spec;
}
