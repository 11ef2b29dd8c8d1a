// Evaluates the alert rules every few seconds and hands changes to the notifier: figures from
// the store's aggregates and the ingest-side trackers → evaluateRules (pure) → AlertState.
import { cachedRootCauses } from '../api/rootCauses.js';
import type { TraceStore } from '../store/index.js';
import type { Stats } from '../analysis/index.js';
import { type Alert, alertId, AlertState } from './AlertState.js';
import { BASELINE_MS, type Condition, evaluateRules, type EvaluationInput, type Violation } from './evaluate.js';
import type { Notifier } from './Notifier.js';
import type { AlertRule } from './rules.js';

export interface AlertEngineDeps {
  store: TraceStore;
  rules: readonly AlertRule[];
  notifier: Notifier;
  breakers: () => EvaluationInput['breakers'];
  stuck: () => EvaluationInput['stuck'];
  violations: (nowMs: number) => readonly Violation[];
  /** Base URL of the dashboard (the collector's own URL). */
  dashboardUrl: () => string;
  evalIntervalMs: number;
  /** Firing alerts are re-sent this often. */
  resendMs: number;
  log: (line: string) => void;
}

/** Window root causes are looked up in for the annotations. */
const ROOT_CAUSE_WINDOW_MS = 15 * 60_000;
/** After a receiver recovers, resolved alerts this recent are sent again with the firing ones. */
const RESEND_RESOLVED_MS = 15 * 60_000;

interface TopCause {
  rootCause: string;
  path: string;
}

export class AlertEngine {
  readonly state: AlertState;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private lastResendMs = 0;
  private failedLogged = false;

  constructor(private readonly deps: AlertEngineDeps) {
    this.state = new AlertState(deps.log);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.deps.evalIntervalMs);
    this.timer.unref();
    this.deps.notifier.start();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.deps.notifier.stop();
  }

  /** What a receiver that lost its state needs: every firing alert and the recently resolved ones. */
  currentForResend(nowMs = Date.now()): Alert[] {
    return this.state.list().filter((a) => a.state === 'firing' || nowMs - (a.endsAt ?? nowMs) <= RESEND_RESOLVED_MS);
  }

  private async gather(nowMs: number): Promise<EvaluationInput> {
    const { store, rules } = this.deps;
    const needs = (kinds: string[]) => rules.some((r) => kinds.includes(r.kind));
    const longest = Math.max(0, ...rules.map((r) => r.windowMs));
    const entry = needs(['entry_error_rate', 'entry_latency']) ? await store.entrySeries({ fromMs: nowMs - BASELINE_MS - longest - 60_000, toMs: nowMs }) : [];
    const edgesByWindow = new Map<number, readonly { source: string; target: string; stats: Stats }[]>();
    for (const r of rules) {
      if (r.kind !== 'dependency_failing' || edgesByWindow.has(r.windowMs)) continue;
      edgesByWindow.set(r.windowMs, (await store.graphInput({ fromMs: nowMs - r.windowMs, toMs: nowMs })).edges);
    }
    return { nowMs, entry, edgesByWindow, breakers: this.deps.breakers(), stuck: this.deps.stuck(), violations: this.deps.violations(nowMs) };
  }

  private async topCause(nowMs: number): Promise<TopCause | null> {
    try {
      const { incidents } = await cachedRootCauses(this.deps.store, { fromMs: nowMs - ROOT_CAUSE_WINDOW_MS, toMs: nowMs });
      const incident = incidents.find((i) => i.ongoing && i.rootCauses.length > 0) ?? incidents.find((i) => i.rootCauses.length > 0);
      const top = incident?.rootCauses[0];
      if (!top) return null;
      return { rootCause: `${top.service} ${top.operation}: ${top.reason}`.slice(0, 1000), path: top.path.join(' → ') };
    } catch {
      return null;
    }
  }

  private annotations(c: Condition, labels: Record<string, string>, cause: TopCause | null): Record<string, string> {
    const base = this.deps.dashboardUrl();
    const page = c.rule.kind === 'transactions_stuck' || c.rule.kind === 'consistency_violation' ? 'transactions' : 'incidents';
    const query = c.rule.kind === 'transactions_stuck' ? `?state=stuck&type=${encodeURIComponent(labels.type ?? '')}` : '';
    let rootCause = cause?.rootCause ?? '';
    let path = cause?.path ?? '';
    if (c.rule.kind === 'dependency_failing' && !cause) {
      rootCause = labels.server ?? '';
      path = `${labels.server} → ${labels.service}`;
    } else if (c.rule.kind === 'breaker_open' && !cause) {
      rootCause = labels.target ?? '';
      path = `${labels.target} → ${labels.service}`;
    }
    const out: Record<string, string> = {
      summary: c.summary,
      root_cause: rootCause || 'unknown',
      path: path || 'unknown',
      dashboard_url: `${base}/#/${page}${query}`,
    };
    if (c.ids?.length) out.ids = c.ids.join(',');
    return out;
  }

  /** One evaluation; public for tests. Never overlaps itself; failures are logged once per streak. */
  async tick(nowMs = Date.now()): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const input = await this.gather(nowMs);
      const conditions = evaluateRules(this.deps.rules, input);
      const firingIds = new Set(this.state.firing().map((a) => a.id));
      const fresh = conditions.some((c) => !firingIds.has(alertId(AlertState.labelsOf(c))));
      const cause = conditions.length > 0 && fresh ? await this.topCause(nowMs) : null;
      const changes = this.state.update(conditions, nowMs, (c, labels) => this.annotations(c, labels, cause));
      const changed = [...changes.fired, ...changes.resolved];
      if (nowMs - this.lastResendMs >= this.deps.resendMs) {
        this.lastResendMs = nowMs;
        for (const a of this.state.firing()) if (!changed.includes(a)) changed.push(a);
      }
      if (changed.length > 0) this.deps.notifier.enqueue(changed, nowMs);
      this.failedLogged = false;
    } catch (e) {
      if (!this.failedLogged) this.deps.log(`faultline collector: alert evaluation failed: ${(e as Error)?.message ?? e}`);
      this.failedLogged = true;
    } finally {
      this.busy = false;
    }
  }
}
