// SQLite schema. Applied at open; `user_version` records what is applied. A file written
// by an older collector is migrated forward in one transaction (SqliteTraceStore does it at open).
export const SQLITE_SCHEMA_VERSION = 3;

// The per-minute aggregates as version 2 keys them (by run too): created new, or rebuilt by the
// 1 → 2 migration. A later version that changes them needs a migration of its own.
const NODE_MINUTE = `node_minute (
  bucket_ms INTEGER NOT NULL, namespace TEXT NOT NULL, service TEXT NOT NULL,
  requests INTEGER NOT NULL, errors INTEGER NOT NULL, retries INTEGER NOT NULL,
  timeouts INTEGER NOT NULL, short_circuits INTEGER NOT NULL, hist TEXT NOT NULL,
  entry_requests INTEGER NOT NULL, entry_errors INTEGER NOT NULL, entry_hist TEXT NOT NULL,
  background INTEGER NOT NULL DEFAULT 0, background_errors INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket_ms, namespace, service)
) WITHOUT ROWID`;
const EDGE_MINUTE = `edge_minute (
  bucket_ms INTEGER NOT NULL, namespace TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
  requests INTEGER NOT NULL, errors INTEGER NOT NULL, retries INTEGER NOT NULL,
  timeouts INTEGER NOT NULL, short_circuits INTEGER NOT NULL, hist TEXT NOT NULL,
  PRIMARY KEY (bucket_ms, namespace, source, target)
) WITHOUT ROWID`;

export const SQLITE_SCHEMA = `
-- Version 3: spans as deflated blocks of up to 256 spans grouped by trace (see spanBlocks.ts),
-- appended in rowid order; traces counts the live traces in a block (pruning deletes it at 0).
-- trace_spans is the narrow index: per trace, its span ids (a re-sent span is a no-op) and blocks.
CREATE TABLE IF NOT EXISTS span_blocks (id INTEGER PRIMARY KEY, traces INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS trace_spans (
  trace_id BLOB PRIMARY KEY, span_ids BLOB NOT NULL, blocks TEXT NOT NULL -- block ids, '1,7'
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS traces (
  trace_id TEXT PRIMARY KEY, start_ms REAL NOT NULL, end_ms REAL NOT NULL,
  root_service TEXT, root_operation TEXT,
  span_count INTEGER NOT NULL, error_count INTEGER NOT NULL,
  services TEXT NOT NULL, -- ',a,b,' so that one instr() finds a service
  namespace TEXT NOT NULL DEFAULT '', correlation_id TEXT,
  failed_callees TEXT NOT NULL DEFAULT ',' -- callees whose calls failed, ',a,b,'
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS traces_start ON traces (start_ms);
CREATE INDEX IF NOT EXISTS traces_errors ON traces (start_ms) WHERE error_count > 0;
CREATE INDEX IF NOT EXISTS traces_correlation ON traces (correlation_id) WHERE correlation_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS ${NODE_MINUTE};

CREATE TABLE IF NOT EXISTS ${EDGE_MINUTE};

CREATE TABLE IF NOT EXISTS services (
  name TEXT PRIMARY KEY, first_seen_ms REAL NOT NULL, last_seen_ms REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS pending_calls (
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL, source TEXT NOT NULL, bucket_ms INTEGER NOT NULL,
  stats TEXT NOT NULL, hint TEXT, received_ms REAL NOT NULL, namespace TEXT NOT NULL DEFAULT '',
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
${'' /* v2 additions below */}
CREATE TABLE IF NOT EXISTS annotations (
  id TEXT PRIMARY KEY, time_ms REAL NOT NULL, end_ms REAL, kind TEXT NOT NULL, service TEXT,
  text TEXT NOT NULL, attributes TEXT NOT NULL, namespace TEXT NOT NULL DEFAULT '', origin TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS annotations_time ON annotations (time_ms);

CREATE TABLE IF NOT EXISTS breaker_transitions (
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL, seq INTEGER NOT NULL,
  time_ms REAL NOT NULL, service TEXT NOT NULL, breaker TEXT NOT NULL, target TEXT NOT NULL,
  from_state TEXT NOT NULL, to_state TEXT NOT NULL, namespace TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (trace_id, span_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS breaker_transitions_time ON breaker_transitions (time_ms);

CREATE TABLE IF NOT EXISTS destination_consumers (
  destination TEXT NOT NULL, service TEXT NOT NULL, last_seen_ms REAL NOT NULL,
  PRIMARY KEY (destination, service)
) WITHOUT ROWID;
`;

/**
 * Version 1 → 2: aggregates keyed by namespace too (tables rebuilt, old rows get namespace ''),
 * background counts, per-trace namespace / correlation id / failed callees, annotations and
 * breaker transitions. Runs before SQLITE_SCHEMA, whose CREATE … IF NOT EXISTS then adds the rest.
 */
export const SQLITE_MIGRATE_1_TO_2 = `
ALTER TABLE traces ADD COLUMN namespace TEXT NOT NULL DEFAULT '';
ALTER TABLE traces ADD COLUMN correlation_id TEXT;
ALTER TABLE traces ADD COLUMN failed_callees TEXT NOT NULL DEFAULT ',';
ALTER TABLE pending_calls ADD COLUMN namespace TEXT NOT NULL DEFAULT '';
ALTER TABLE node_minute RENAME TO node_minute_v1;
CREATE TABLE ${NODE_MINUTE};
INSERT INTO node_minute SELECT bucket_ms, '', service, requests, errors, retries, timeouts, short_circuits, hist, entry_requests, entry_errors, entry_hist, 0, 0 FROM node_minute_v1;
DROP TABLE node_minute_v1;
ALTER TABLE edge_minute RENAME TO edge_minute_v1;
CREATE TABLE ${EDGE_MINUTE};
INSERT INTO edge_minute SELECT bucket_ms, '', source, target, requests, errors, retries, timeouts, short_circuits, hist FROM edge_minute_v1;
DROP TABLE edge_minute_v1;
`;
