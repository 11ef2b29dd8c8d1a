import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens a service's own SQLite file. WAL with synchronous=NORMAL survives a
 * process kill (the case the scenarios exercise) and lets the scenario runner
 * read the file while the service writes.
 */
export function openDb(path: string, schema: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(schema);
  return db;
}

/** Read-only handle for the invariant checks: they must never change what they inspect. */
export function openDbReadOnly(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}
