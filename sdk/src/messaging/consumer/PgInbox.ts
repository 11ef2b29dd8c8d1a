import type { ClientBase, Pool } from 'pg';
import { inboxDdl, tableNames, toPgPlaceholders, type TableNames } from '../sql/schema.js';
import type { InboxDriver, Invoke, SqlStep, Steps } from './InboxDriver.js';

/**
 * Inbox on PostgreSQL. Handlers receive the transaction's client as `tx`
 * and may be async; their writes commit together with the inbox row.
 */
export class PgInbox implements InboxDriver<ClientBase> {
  readonly dialect = 'pg' as const;
  readonly tables: TableNames;
  private readonly sqlCache = new Map<string, string>();

  constructor(private readonly pool: Pool, options: { tablePrefix?: string } = {}) {
    this.tables = tableNames(options.tablePrefix);
  }

  async ensureSchema(): Promise<void> {
    for (const ddl of inboxDdl('pg', this.tables)) await this.pool.query(ddl);
  }

  checkHandler(): void {}

  async transact<T>(steps: () => Steps<T>, invoke: Invoke<ClientBase>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const g = steps();
      let input: unknown;
      let value: T;
      for (;;) {
        const r = g.next(input);
        if (r.done) {
          value = r.value;
          break;
        }
        const step = r.value;
        input = step.op === 'call' ? await invoke(client, step.event, step.late) : await this.exec(client, step);
      }
      await client.query('COMMIT');
      return value;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {
        broken = true; // a connection that cannot roll back must not go back to the pool
      });
      throw e;
    } finally {
      client.release(broken);
    }
  }

  private async exec(client: ClientBase, step: SqlStep): Promise<unknown> {
    let sql = this.sqlCache.get(step.sql);
    if (sql === undefined) {
      sql = toPgPlaceholders(step.sql);
      this.sqlCache.set(step.sql, sql);
    }
    const res = await client.query(sql, step.params as unknown[]);
    if (step.op === 'run') return { changes: res.rowCount ?? 0 };
    if (step.op === 'get') return res.rows[0];
    return res.rows;
  }
}
