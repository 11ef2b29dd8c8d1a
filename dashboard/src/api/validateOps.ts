// Response validation for the operations endpoints (alerts, transactions): same rule as
// validate.ts, only data with the contract's shape reaches the UI.
import type { Alert, TransactionDetail, TransactionState, TransactionStep, TransactionSummary } from './types.js';
import { arr, num, obj, type Obj, str, ValidationError } from './validate.js';

function strings(v: unknown, path: string): string[] {
  return arr(v ?? [], path).map((x, i) => str(x, `${path}[${i}]`));
}
function stringMap(v: unknown, path: string): Record<string, string> {
  const o = obj(v ?? {}, path);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) out[k] = typeof x === 'string' ? x : String(x);
  return out;
}

export function parseAlerts(v: unknown): Alert[] {
  return arr(v, 'alerts').map((x, i) => {
    const p = `alerts[${i}]`;
    const o = obj(x, p);
    const state = o.state === 'resolved' ? 'resolved' : 'firing';
    return {
      id: str(o.id, `${p}.id`),
      rule: str(o.rule, `${p}.rule`),
      severity: str(o.severity, `${p}.severity`),
      state,
      startsAt: num(o.startsAt, `${p}.startsAt`),
      ...(o.endsAt !== undefined && o.endsAt !== null ? { endsAt: num(o.endsAt, `${p}.endsAt`) } : {}),
      labels: stringMap(o.labels, `${p}.labels`),
      annotations: stringMap(o.annotations, `${p}.annotations`),
    };
  });
}

const TX_STATES: readonly TransactionState[] = ['running', 'compensating', 'completed', 'compensated', 'failed', 'stuck'];

function txSummary(o: Obj, p: string): TransactionSummary {
  const state = str(o.state, `${p}.state`);
  if (!TX_STATES.includes(state as TransactionState)) throw new ValidationError(`${p}.state`, `unknown state ${state}`);
  return {
    id: str(o.id, `${p}.id`),
    type: str(o.type, `${p}.type`),
    state: state as TransactionState,
    startedMs: num(o.startedMs, `${p}.startedMs`),
    updatedMs: num(o.updatedMs, `${p}.updatedMs`),
    step: o.step === null || o.step === undefined ? null : str(o.step, `${p}.step`),
    services: strings(o.services, `${p}.services`),
    traceIds: strings(o.traceIds, `${p}.traceIds`),
  };
}

export function parseTransactions(v: unknown): TransactionSummary[] {
  return arr(v, 'transactions').map((x, i) => txSummary(obj(x, `transactions[${i}]`), `transactions[${i}]`));
}

export function parseTransaction(v: unknown): TransactionDetail {
  const o = obj(v, 'transaction');
  const steps: TransactionStep[] = arr(o.steps, 'transaction.steps').map((x, i) => {
    const p = `transaction.steps[${i}]`;
    const s = obj(x, p);
    return {
      name: str(s.name, `${p}.name`),
      service: str(s.service, `${p}.service`),
      state: str(s.state, `${p}.state`),
      startMs: num(s.startMs, `${p}.startMs`),
      endMs: s.endMs === null || s.endMs === undefined ? null : num(s.endMs, `${p}.endMs`),
      traceId: str(s.traceId, `${p}.traceId`),
    };
  });
  return { ...txSummary(o, 'transaction'), steps };
}
