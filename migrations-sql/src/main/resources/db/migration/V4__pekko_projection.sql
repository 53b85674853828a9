-- pekko-projection-jdbc 1.0.0: the offset store and the management table, as its Postgres dialect
-- creates them (pekko.projection.jdbc.offset-store defaults: these table names, lower-case schema).
-- Column names and types are the plugin's contract.

CREATE TABLE IF NOT EXISTS pekko_projection_offset_store (
  projection_name VARCHAR(255) NOT NULL,
  projection_key VARCHAR(255) NOT NULL,
  current_offset VARCHAR(255) NOT NULL,
  manifest VARCHAR(4) NOT NULL,
  mergeable BOOLEAN NOT NULL,
  last_updated BIGINT NOT NULL,
  PRIMARY KEY(projection_name, projection_key)
);

CREATE INDEX IF NOT EXISTS projection_name_index ON pekko_projection_offset_store (projection_name);

CREATE TABLE IF NOT EXISTS pekko_projection_management (
  projection_name VARCHAR(255) NOT NULL,
  projection_key VARCHAR(255) NOT NULL,
  paused BOOLEAN NOT NULL,
  last_updated BIGINT NOT NULL,
  PRIMARY KEY(projection_name, projection_key)
);

-- The migrations' read model, one row per migration, written by the coordinator's
-- MigrationSummaryProjection from the events tagged 'migration' (in the same transaction as the
-- projection's offset) and read by GET /api/migrations. It lags the journal by a poll or two, so
-- decisions (is this VM already migrating?) are taken on the journal, never on this table.
CREATE TABLE migration_summary (
    migration_id      TEXT        PRIMARY KEY,
    vm_id             TEXT        NOT NULL,
    source_host       TEXT        NOT NULL,
    destination_host  TEXT        NOT NULL,
    phase             TEXT        NOT NULL,             -- io.drover.coordinator.migration.Phase, by name
    uri               TEXT,                             -- where the destination listens, once prepared
    pass              BIGINT      NOT NULL DEFAULT 0,   -- the last RAM pass reported
    downtime_limit_ms BIGINT      NOT NULL,             -- as last set (the convergence ladder raises it)
    auto_converge_on  BOOLEAN     NOT NULL,
    reason            TEXT,                             -- why it failed, was cancelled or switched to post-copy
    requested_at      TIMESTAMPTZ NOT NULL,             -- the MigrationRequested event's time
    updated_at        TIMESTAMPTZ NOT NULL,             -- the time of the last event applied
    last_sequence_nr  BIGINT      NOT NULL              -- of the last event applied: a replayed event is skipped
);
CREATE INDEX migration_summary_vm_idx    ON migration_summary (vm_id);
CREATE INDEX migration_summary_phase_idx ON migration_summary (phase);

-- Before this version the migration entity tagged nothing: tag the migration events already in the
-- journal as the entity now does (MigrationEntity.TAG), so that the projection, starting from no
-- offset, also builds the rows of the migrations persisted earlier.
INSERT INTO event_tag (event_id, tag)
SELECT ordering, 'migration' FROM event_journal WHERE persistence_id LIKE 'Migration|%'
ON CONFLICT DO NOTHING;
