import type { Database, Statement, Transaction } from 'better-sqlite3';
import { MessagingConfigError } from '../errors.js';
import { inboxDdl, tableNames, type TableNames } from '../sql/schema.js';
import type { InboxDriver, Invoke, SqlStep, Steps } from './InboxDriver.js';

function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Inbox on better-sqlite3. Handlers receive the same `Database` as `tx` and
 * must be synchronous: their writes commit together with the inbox row.
 */
export class SqliteInbox implements InboxDriver<Database> {
  readonly dialect = 'sqlite' as const;
  readonly tables: TableNames;
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database, options: { tablePrefix?: string } = {}) {
    this.tables = tableNames(options.tablePrefix);
    this.run = db.transaction((steps: () => Steps<unknown>, invoke: Invoke<Database>) => this.runSteps(steps, invoke));
  }

  async ensureSchema(): Promise<void> {
    this.db.transaction(() => {
      for (const ddl of inboxDdl('sqlite', this.tables)) this.db.exec(ddl);
    })();
  }

  checkHandler(handler: Function): void {
    if (handler.constructor.name === 'AsyncFunction') {
      throw new MessagingConfigError('better-sqlite3 handlers must be synchronous: its transactions cannot span an await');
    }
  }

  async transact<T>(steps: () => Steps<T>, invoke: Invoke<Database>): Promise<T> {
    return this.run.immediate(steps, invoke) as T;
  }

  // Built once: creating a better-sqlite3 transaction function per call costs
  // more than the inbox insert itself. IMMEDIATE takes the write lock up
  // front, so two processes sharing the file cannot both read "not seen yet".
  private readonly run: Transaction<(steps: () => Steps<unknown>, invoke: Invoke<Database>) => unknown>;

  private runSteps(steps: () => Steps<unknown>, invoke: Invoke<Database>): unknown {
    const g = steps();
    let input: unknown;
    for (;;) {
      const r = g.next(input);
      if (r.done) return r.value;
      const step = r.value;
      if (step.op === 'call') {
        if (isThenable(invoke(this.db, step.event, step.late))) {
          throw new MessagingConfigError('better-sqlite3 handlers must be synchronous: its transactions cannot span an await');
        }
        input = undefined;
      } else {
        input = this.exec(step);
      }
    }
  }

  private exec(step: SqlStep): unknown {
    let s = this.statements.get(step.sql);
    if (!s) {
      s = this.db.prepare(step.sql);
      this.statements.set(step.sql, s);
    }
    if (step.op === 'run') return { changes: s.run(...step.params).changes };
    if (step.op === 'get') return s.get(...step.params);
    return s.all(...step.params);
  }
}
