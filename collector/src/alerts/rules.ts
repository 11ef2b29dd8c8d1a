// Alert rules: the built-in defaults and the FAULTLINE_ALERT_RULES file (YAML or JSON),
// validated once at start with messages that name the file, the rule and the field.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export type RuleKind = 'entry_error_rate' | 'entry_latency' | 'dependency_failing' | 'breaker_open' | 'transactions_stuck' | 'consistency_violation';
export type Severity = 'critical' | 'warning' | 'info';

export interface AlertRule {
  /** The `alertname` label. Unique among the rules. */
  name: string;
  kind: RuleKind;
  severity: Severity;
  /** How long the condition must hold before the alert fires. */
  forMs: number;
  /** entry_error_rate / dependency_failing: a ratio 0..1; entry_latency: p99 in ms; transactions_stuck, consistency_violation: a count. */
  threshold: number;
  /** Time the figures are taken over (aggregates are per minute, so whole minutes touching it count). */
  windowMs: number;
  /** Fewer requests (or calls) than this in the window never alert. */
  minRequests: number;
  /** entry_*: the figure must also be this many times its baseline (the 30 minutes before the window). */
  baselineFactor: number;
  /** Extra labels added to every alert of the rule. */
  labels: Record<string, string>;
}

export const RULE_KINDS: readonly RuleKind[] = ['entry_error_rate', 'entry_latency', 'dependency_failing', 'breaker_open', 'transactions_stuck', 'consistency_violation'];

const DEFAULTS: Record<RuleKind, Omit<AlertRule, 'kind' | 'labels'>> = {
  entry_error_rate: { name: 'EntryErrorRate', severity: 'critical', forMs: 30_000, threshold: 0.05, windowMs: 60_000, minRequests: 20, baselineFactor: 2 },
  entry_latency: { name: 'EntryLatency', severity: 'warning', forMs: 60_000, threshold: 1_000, windowMs: 60_000, minRequests: 20, baselineFactor: 3 },
  dependency_failing: { name: 'DependencyFailing', severity: 'critical', forMs: 15_000, threshold: 0.2, windowMs: 60_000, minRequests: 5, baselineFactor: 1 },
  breaker_open: { name: 'BreakerOpen', severity: 'warning', forMs: 0, threshold: 1, windowMs: 0, minRequests: 0, baselineFactor: 1 },
  transactions_stuck: { name: 'TransactionsStuck', severity: 'warning', forMs: 0, threshold: 1, windowMs: 0, minRequests: 0, baselineFactor: 1 },
  consistency_violation: { name: 'ConsistencyViolation', severity: 'critical', forMs: 0, threshold: 1, windowMs: 120_000, minRequests: 0, baselineFactor: 1 },
};

const KIND_OF_NAME = new Map<string, RuleKind>(RULE_KINDS.map((k) => [DEFAULTS[k].name, k]));

export function builtInRules(): AlertRule[] {
  return RULE_KINDS.map((kind) => ({ ...DEFAULTS[kind], kind, labels: {} }));
}

/** A rules file that cannot be used: the collector refuses to start with this message. */
export class AlertRulesError extends Error {
  override readonly name = 'AlertRulesError';
}

/** "30s", "5m", "1h", "250ms" or a number of ms. */
export function parseDurationMs(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? raw : null;
  if (typeof raw !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(raw);
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

const RULE_FIELDS = new Set(['name', 'alert', 'kind', 'severity', 'for', 'threshold', 'window', 'minRequests', 'baselineFactor', 'labels']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = new Set(['alertname', 'severity']);

/** Validates parsed rules-file content; `where` prefixes every message. */
export function rulesFromObject(doc: unknown, where: string): AlertRule[] {
  const fail = (path: string, message: string): never => {
    throw new AlertRulesError(`${where}: ${path}: ${message}`);
  };
  const list = Array.isArray(doc) ? doc : doc && typeof doc === 'object' ? (doc as { rules?: unknown }).rules : undefined;
  if (!Array.isArray(list)) fail('rules', 'expected a list of rules (a top-level `rules:` list)');
  if ((list as unknown[]).length > 100) fail('rules', 'at most 100 rules');
  const names = new Set<string>();
  return (list as unknown[]).map((raw, i) => {
    const at = `rules[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(at, 'expected a mapping');
    const r = raw as Record<string, unknown>;
    for (const key of Object.keys(r)) if (!RULE_FIELDS.has(key)) fail(`${at}.${key}`, `unknown field (known: ${[...RULE_FIELDS].join(', ')})`);
    const name = r.name ?? r.alert;
    const kindRaw = r.kind ?? (typeof name === 'string' ? KIND_OF_NAME.get(name) : undefined);
    if (kindRaw === undefined) fail(`${at}.kind`, `required unless the name is a built-in rule (${[...KIND_OF_NAME.keys()].join(', ')})`);
    if (!RULE_KINDS.includes(kindRaw as RuleKind)) fail(`${at}.kind`, `must be one of ${RULE_KINDS.join(', ')}, got ${JSON.stringify(kindRaw)}`);
    const kind = kindRaw as RuleKind;
    const d = DEFAULTS[kind];
    const finalName = name === undefined ? d.name : name;
    if (typeof finalName !== 'string' || !LABEL_NAME.test(finalName) || finalName.length > 128) fail(`${at}.name`, 'must be 1–128 characters of [A-Za-z0-9_], not starting with a digit');
    if (names.has(finalName as string)) fail(`${at}.name`, `duplicate rule name ${finalName}`);
    names.add(finalName as string);
    const severity = r.severity ?? d.severity;
    if (severity !== 'critical' && severity !== 'warning' && severity !== 'info') fail(`${at}.severity`, `must be critical, warning or info, got ${JSON.stringify(severity)}`);
    const duration = (field: 'for' | 'window', fallback: number) => {
      if (r[field] === undefined) return fallback;
      const ms = parseDurationMs(r[field]);
      if (ms === null || ms > 86_400_000) fail(`${at}.${field}`, `must be a duration like 30s, 5m or 1h (at most 24h), got ${JSON.stringify(r[field])}`);
      return ms as number;
    };
    const number = (field: 'threshold' | 'minRequests' | 'baselineFactor', fallback: number, max: number) => {
      if (r[field] === undefined) return fallback;
      const v = r[field];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) fail(`${at}.${field}`, `must be a number from 0 to ${max}, got ${JSON.stringify(v)}`);
      return v as number;
    };
    const ratio = kind === 'entry_error_rate' || kind === 'dependency_failing';
    const labels: Record<string, string> = {};
    if (r.labels !== undefined) {
      if (!r.labels || typeof r.labels !== 'object' || Array.isArray(r.labels)) fail(`${at}.labels`, 'expected a mapping of label names to strings');
      for (const [k, v] of Object.entries(r.labels as Record<string, unknown>)) {
        if (!LABEL_NAME.test(k) || RESERVED_LABELS.has(k)) fail(`${at}.labels.${k}`, 'not a usable label name ([A-Za-z_][A-Za-z0-9_]*, not alertname or severity)');
        if (typeof v !== 'string' || v.length > 1024) fail(`${at}.labels.${k}`, 'label values must be strings of at most 1,024 characters');
        labels[k] = v as string;
      }
    }
    return {
      name: finalName as string,
      kind,
      severity: severity as Severity,
      forMs: duration('for', d.forMs),
      windowMs: duration('window', d.windowMs),
      threshold: number('threshold', d.threshold, ratio ? 1 : 1e9),
      minRequests: number('minRequests', d.minRequests, 1e9),
      baselineFactor: number('baselineFactor', d.baselineFactor, 1e6),
      labels,
    };
  });
}

/** Reads and validates FAULTLINE_ALERT_RULES; `.json` is JSON, anything else YAML (a superset of JSON). */
export function loadAlertRules(path: string | null): AlertRule[] {
  if (!path) return builtInRules();
  const where = `FAULTLINE_ALERT_RULES ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AlertRulesError(`${where}: cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (text.length > 1024 * 1024) throw new AlertRulesError(`${where}: over 1 MiB`);
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new AlertRulesError(`${where}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  return rulesFromObject(doc, where);
}
