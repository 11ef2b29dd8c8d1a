// Pure rule evaluation: figures in, active conditions out. No I/O, no clock.
import { bucketStart, emptyStats, mergeStats, quantileMs, type ServiceSeries, type Stats } from '../analysis/index.js';
import type { AlertRule } from './rules.js';

/** Minutes before a rule's window that entry rules compare against. */
export const BASELINE_MS = 30 * 60_000;

export interface Violation {
  timeMs: number;
  /** Service that reported it. */
  service: string;
  /** `faultline.violation`: a short kind, e.g. `charged_without_reservation`. */
  kind: string;
  /** `faultline.tx.id`: the business transaction (order) concerned. */
  txId: string;
}

export interface EvaluationInput {
  nowMs: number;
  /** Entry (root span) stats per service and minute, from BASELINE_MS + the longest window before now. */
  entry: readonly ServiceSeries[];
  /** Call edges merged over each rule window, keyed by windowMs. */
  edgesByWindow: ReadonlyMap<number, readonly { source: string; target: string; stats: Stats }[]>;
  breakers: readonly { service: string; breaker: string; target: string; state: string }[];
  /** Stuck transactions per type, with a few of their ids. */
  stuck: readonly { type: string; count: number; ids: string[] }[];
  violations: readonly Violation[];
}

/** One label set whose condition holds now. */
export interface Condition {
  rule: AlertRule;
  /** Rule-specific labels (service, server, type, …); alertname and severity are added by the state. */
  labels: Record<string, string>;
  value: number;
  summary: string;
  /** Ids the alert is about (order ids of violations, stuck transaction ids). */
  ids?: string[];
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const IDS_MAX = 20;

function merged(points: readonly { startMs: number; stats: Stats }[], fromMs: number, toMs: number): Stats {
  const s = emptyStats();
  for (const p of points) if (p.startMs >= fromMs && p.startMs < toMs) mergeStats(s, p.stats);
  return s;
}

function entryConditions(rule: AlertRule, input: EvaluationInput): Condition[] {
  const out: Condition[] = [];
  const windowFrom = bucketStart(input.nowMs - rule.windowMs);
  for (const series of input.entry) {
    const now = merged(series.points, windowFrom, Infinity);
    if (now.requests < Math.max(1, rule.minRequests)) continue;
    const base = merged(series.points, windowFrom - BASELINE_MS, windowFrom);
    if (rule.kind === 'entry_error_rate') {
      const rate = now.errors / now.requests;
      const baseRate = base.requests > 0 ? base.errors / base.requests : 0;
      if (rate >= rule.threshold && rate >= rule.baselineFactor * baseRate && rate > 0) {
        out.push({ rule, labels: { service: series.service }, value: rate, summary: `${series.service}: ${pct(rate)} of ${now.requests} requests failed (baseline ${pct(baseRate)})` });
      }
    } else {
      const p99 = quantileMs(now.histogram, 0.99);
      const baseP99 = base.requests > 0 ? quantileMs(base.histogram, 0.99) : 0;
      if (p99 >= rule.threshold && p99 >= rule.baselineFactor * baseP99) {
        out.push({ rule, labels: { service: series.service }, value: p99, summary: `${series.service}: p99 ${Math.round(p99)} ms over ${now.requests} requests (baseline ${Math.round(baseP99)} ms)` });
      }
    }
  }
  return out;
}

function dependencyConditions(rule: AlertRule, input: EvaluationInput): Condition[] {
  const byEdge = new Map<string, { source: string; target: string; stats: Stats }>();
  for (const e of input.edgesByWindow.get(rule.windowMs) ?? []) {
    const key = `${e.source}\u0000${e.target}`;
    let m = byEdge.get(key);
    if (!m) byEdge.set(key, (m = { source: e.source, target: e.target, stats: emptyStats() }));
    mergeStats(m.stats, e.stats);
  }
  const out: Condition[] = [];
  for (const { source, target, stats } of byEdge.values()) {
    if (stats.requests < Math.max(1, rule.minRequests)) continue;
    const failing = Math.min(stats.requests, Math.max(stats.errors, stats.timeouts, stats.shortCircuits));
    const ratio = failing / stats.requests;
    if (ratio > 0 && ratio >= rule.threshold) {
      out.push({
        rule,
        labels: { service: source, server: target },
        value: ratio,
        summary: `calls from ${source} to ${target} failing: ${pct(ratio)} of ${stats.requests} (${stats.errors} errors, ${stats.timeouts} timeouts, ${stats.shortCircuits} short-circuits)`,
      });
    }
  }
  return out;
}

export function evaluateRules(rules: readonly AlertRule[], input: EvaluationInput): Condition[] {
  const out: Condition[] = [];
  for (const rule of rules) {
    switch (rule.kind) {
      case 'entry_error_rate':
      case 'entry_latency':
        out.push(...entryConditions(rule, input));
        break;
      case 'dependency_failing':
        out.push(...dependencyConditions(rule, input));
        break;
      case 'breaker_open':
        for (const b of input.breakers) {
          if (b.state !== 'open') continue;
          out.push({ rule, labels: { service: b.service, breaker: b.breaker, target: b.target }, value: 1, summary: `circuit breaker ${b.breaker} in ${b.service} is open: calls to ${b.target} are short-circuited` });
        }
        break;
      case 'transactions_stuck':
        for (const s of input.stuck) {
          if (s.count < Math.max(1, rule.threshold)) continue;
          out.push({ rule, labels: { type: s.type }, value: s.count, summary: `${s.count} ${s.type} transactions stuck (no progress): ${s.ids.slice(0, IDS_MAX).join(', ')}`, ids: s.ids.slice(0, IDS_MAX) });
        }
        break;
      case 'consistency_violation': {
        const byService = new Map<string, Violation[]>();
        for (const v of input.violations) {
          if (v.timeMs < input.nowMs - rule.windowMs) continue;
          const list = byService.get(v.service) ?? [];
          list.push(v);
          byService.set(v.service, list);
        }
        for (const [service, list] of byService) {
          if (list.length < Math.max(1, rule.threshold)) continue;
          const ids = [...new Set(list.map((v) => v.txId))].sort();
          const kinds = [...new Set(list.map((v) => v.kind))].sort();
          out.push({ rule, labels: { service }, value: list.length, summary: `${list.length} consistency violations reported by ${service} (${kinds.join(', ')}) for orders ${ids.slice(0, IDS_MAX).join(', ')}${ids.length > IDS_MAX ? ` and ${ids.length - IDS_MAX} more` : ''}`, ids: ids.slice(0, IDS_MAX) });
        }
        break;
      }
    }
  }
  return out;
}
