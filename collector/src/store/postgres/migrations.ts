// PostgreSQL schema migrations, applied at start under an advisory lock so that several
// collectors starting together against one database apply each migration exactly once.
import type pg from 'pg';

export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE spans (
  trace_id text NOT NULL, span_id text NOT NULL, parent_span_id text NOT NULL,
  service text NOT NULL, name text NOT NULL, kind text NOT NULL,
  start_ms double precision NOT NULL, end_ms double precision NOT NULL, duration_ms double precision NOT NULL,
  status text NOT NULL, status_message text NOT NULL,
  attributes text NOT NULL, resource text NOT NULL, events text NOT NULL, links text NOT NULL,
  PRIMARY KEY (trace_id, span_id)
);
CREATE TABLE traces (
  trace_id text PRIMARY KEY, start_ms double precision NOT NULL, end_ms double precision NOT NULL,
  root_service text, root_operation text, span_count integer NOT NULL, error_count integer NOT NULL,
  services text NOT NULL
);
CREATE INDEX traces_start ON traces (start_ms);
CREATE INDEX traces_errors ON traces (start_ms) WHERE error_count > 0;
CREATE TABLE node_minute (
  bucket_ms bigint NOT NULL, service text NOT NULL,
  requests bigint NOT NULL, errors bigint NOT NULL, retries bigint NOT NULL, timeouts bigint NOT NULL,
  short_circuits bigint NOT NULL, hist integer[] NOT NULL,
  entry_requests bigint NOT NULL, entry_errors bigint NOT NULL, entry_hist integer[] NOT NULL,
  PRIMARY KEY (bucket_ms, service)
);
CREATE TABLE edge_minute (
  bucket_ms bigint NOT NULL, source text NOT NULL, target text NOT NULL,
  requests bigint NOT NULL, errors bigint NOT NULL, retries bigint NOT NULL, timeouts bigint NOT NULL,
  short_circuits bigint NOT NULL, hist integer[] NOT NULL,
  PRIMARY KEY (bucket_ms, source, target)
);
CREATE TABLE services (name text PRIMARY KEY, first_seen_ms double precision NOT NULL, last_seen_ms double precision NOT NULL);
CREATE TABLE pending_calls (
  trace_id text NOT NULL, span_id text NOT NULL, source text NOT NULL, bucket_ms bigint NOT NULL,
  stats text NOT NULL, hint text, received_ms double precision NOT NULL, PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX pending_calls_received ON pending_calls (received_ms);
CREATE INDEX pending_calls_bucket ON pending_calls (bucket_ms);
CREATE TABLE server_halves (
  trace_id text NOT NULL, caller_span_id text NOT NULL, service text NOT NULL, received_ms double precision NOT NULL,
  PRIMARY KEY (trace_id, caller_span_id, service)
);
CREATE INDEX server_halves_received ON server_halves (received_ms);
CREATE TABLE attempt_aliases (
  trace_id text NOT NULL, span_id text NOT NULL, call_span_id text NOT NULL, received_ms double precision NOT NULL,
  PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX attempt_aliases_call ON attempt_aliases (trace_id, call_span_id);
CREATE INDEX attempt_aliases_received ON attempt_aliases (received_ms);

CREATE FUNCTION fl_hist_add(a integer[], b integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}')
  FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;
CREATE FUNCTION fl_union(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT ',' || coalesce(string_agg(DISTINCT x, ',' ORDER BY x), '') || ','
  FROM unnest(string_to_array(coalesce(a, '') || ',' || coalesce(b, ''), ',')) AS x WHERE x <> ''
$$;
`,
  },
  {
    // Aggregates keyed by namespace too (old rows get ''), background counts, per-trace
    // namespace / correlation id / failed callees, annotations and breaker transitions.
    version: 2,
    sql: `
ALTER TABLE node_minute ADD COLUMN namespace text NOT NULL DEFAULT '', ADD COLUMN background bigint NOT NULL DEFAULT 0,
  ADD COLUMN background_errors bigint NOT NULL DEFAULT 0;
ALTER TABLE node_minute DROP CONSTRAINT node_minute_pkey, ADD PRIMARY KEY (bucket_ms, namespace, service);
ALTER TABLE edge_minute ADD COLUMN namespace text NOT NULL DEFAULT '';
ALTER TABLE edge_minute DROP CONSTRAINT edge_minute_pkey, ADD PRIMARY KEY (bucket_ms, namespace, source, target);
ALTER TABLE pending_calls ADD COLUMN namespace text NOT NULL DEFAULT '';
ALTER TABLE traces ADD COLUMN namespace text NOT NULL DEFAULT '', ADD COLUMN correlation_id text,
  ADD COLUMN failed_callees text NOT NULL DEFAULT ',';
CREATE INDEX traces_correlation ON traces (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE TABLE annotations (
  id text PRIMARY KEY, time_ms double precision NOT NULL, end_ms double precision, kind text NOT NULL, service text,
  text text NOT NULL, attributes text NOT NULL, namespace text NOT NULL DEFAULT '', origin text NOT NULL
);
CREATE INDEX annotations_time ON annotations (time_ms);
CREATE TABLE breaker_transitions (
  trace_id text NOT NULL, span_id text NOT NULL, seq integer NOT NULL,
  time_ms double precision NOT NULL, service text NOT NULL, breaker text NOT NULL, target text NOT NULL,
  from_state text NOT NULL, to_state text NOT NULL, namespace text NOT NULL DEFAULT '',
  PRIMARY KEY (trace_id, span_id, seq)
);
CREATE INDEX breaker_transitions_time ON breaker_transitions (time_ms);
`,
  },
  {
    // Which services consume each messaging destination: unanswered sends become edges to them.
    version: 3,
    sql: `
CREATE TABLE destination_consumers (
  destination text NOT NULL, service text NOT NULL, last_seen_ms double precision NOT NULL,
  PRIMARY KEY (destination, service)
);
`,
  },
];

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid PostgreSQL schema name: ${name}`);
  return `"${name}"`;
}

export async function migrate(client: pg.PoolClient, schema: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('faultline-migrations'))");
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
    await client.query(`SET LOCAL search_path TO ${ident(schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS faultline_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM faultline_migrations');
    const applied = new Set(rows.map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO faultline_migrations (version) VALUES ($1)', [m.version]);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

export { ident as quoteSchema };
