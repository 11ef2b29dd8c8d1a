import type { EventEnvelope } from '../envelope.js';
import type { Dialect, TableNames } from '../sql/schema.js';

/** One SQL statement with `?` placeholders. */
export interface SqlStep {
  readonly op: 'run' | 'get' | 'all';
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Run the user's handler for `event` inside the open transaction. */
export interface CallStep {
  readonly op: 'call';
  readonly event: EventEnvelope;
  readonly late: boolean;
}

export type Step = SqlStep | CallStep;
export type Row = Record<string, unknown>;

/**
 * The consumer's transaction logic is written once as a generator of steps;
 * a driver runs it synchronously (better-sqlite3, whose transactions cannot
 * span an await) or asynchronously (pg).
 */
export type Steps<T> = Generator<Step, T, unknown>;

export type Invoke<Tx> = (tx: Tx, event: EventEnvelope, late: boolean) => unknown;

export interface InboxDriver<Tx> {
  readonly dialect: Dialect;
  readonly tables: TableNames;
  ensureSchema(): Promise<void>;
  /** Runs `steps` in one transaction; rolls back when a step or the handler throws. */
  transact<T>(steps: () => Steps<T>, invoke: Invoke<Tx>): Promise<T>;
  /** Checks a handler can run on this driver; throws MessagingConfigError otherwise. */
  checkHandler(handler: Function): void;
}

export function run(sql: string, ...params: unknown[]): SqlStep {
  return { op: 'run', sql, params };
}
export function get(sql: string, ...params: unknown[]): SqlStep {
  return { op: 'get', sql, params };
}
export function all(sql: string, ...params: unknown[]): SqlStep {
  return { op: 'all', sql, params };
}
