// SQLite schema. Applied at open; `user_version` records what is applied so later
// versions can migrate forward.
export const SQLITE_SCHEMA_VERSION = 1;

export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS spans (
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT NOT NULL,
  service TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
  start_ms REAL NOT NULL, end_ms REAL NOT NULL, duration_ms REAL NOT NULL,
  status TEXT NOT NULL, status_message TEXT NOT NULL,
  attributes TEXT NOT NULL, resource TEXT NOT NULL, events TEXT NOT NULL, links TEXT NOT NULL
);
-- A rowid table appends rows; only this small index takes the random trace ids.
CREATE UNIQUE INDEX IF NOT EXISTS spans_id ON spans (trace_id, span_id);

CREATE TABLE IF NOT EXISTS traces (
  trace_id TEXT PRIMARY KEY, start_ms REAL NOT NULL, end_ms REAL NOT NULL,
  root_service TEXT, root_operation TEXT,
  span_count INTEGER NOT NULL, error_count INTEGER NOT NULL,
  services TEXT NOT NULL -- ',a,b,' so that one instr() finds a service
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS traces_start ON traces (start_ms);
CREATE INDEX IF NOT EXISTS traces_errors ON traces (start_ms) WHERE error_count > 0;

CREATE TABLE IF NOT EXISTS node_minute (
  bucket_ms INTEGER NOT NULL, service TEXT NOT NULL,
  requests INTEGER NOT NULL, errors INTEGER NOT NULL, retries INTEGER NOT NULL,
  timeouts INTEGER NOT NULL, short_circuits INTEGER NOT NULL, hist TEXT NOT NULL,
  entry_requests INTEGER NOT NULL, entry_errors INTEGER NOT NULL, entry_hist TEXT NOT NULL,
  PRIMARY KEY (bucket_ms, service)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS edge_minute (
  bucket_ms INTEGER NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
  requests INTEGER NOT NULL, errors INTEGER NOT NULL, retries INTEGER NOT NULL,
  timeouts INTEGER NOT NULL, short_circuits INTEGER NOT NULL, hist TEXT NOT NULL,
  PRIMARY KEY (bucket_ms, source, target)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS services (
  name TEXT PRIMARY KEY, first_seen_ms REAL NOT NULL, last_seen_ms REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS pending_calls (
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL, source TEXT NOT NULL, bucket_ms INTEGER NOT NULL,
  stats TEXT NOT NULL, hint TEXT, received_ms REAL NOT NULL,
  PRIMARY KEY (trace_id, span_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pending_calls_received ON pending_calls (received_ms);
CREATE INDEX IF NOT EXISTS pending_calls_bucket ON pending_calls (bucket_ms);

CREATE TABLE IF NOT EXISTS server_halves (
  trace_id TEXT NOT NULL, caller_span_id TEXT NOT NULL, service TEXT NOT NULL, received_ms REAL NOT NULL,
  PRIMARY KEY (trace_id, caller_span_id, service)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS server_halves_received ON server_halves (received_ms);

CREATE TABLE IF NOT EXISTS attempt_aliases (
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL, call_span_id TEXT NOT NULL, received_ms REAL NOT NULL,
  PRIMARY KEY (trace_id, span_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS attempt_aliases_call ON attempt_aliases (trace_id, call_span_id);
CREATE INDEX IF NOT EXISTS attempt_aliases_received ON attempt_aliases (received_ms);
`;
