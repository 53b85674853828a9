-- The audit log: every Drover Kafka record (agent events, commands, results, host records, coordinator
-- decisions) exactly once, append-only. The CloudEvents id is the idempotency key: replaying a topic
-- inserts nothing new (INSERT ... ON CONFLICT (event_id) DO NOTHING).

CREATE TABLE audit_log (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- insertion order, for stable sorting
    event_id     TEXT        NOT NULL,                             -- CloudEvents 'id'
    type         TEXT        NOT NULL,                             -- CloudEvents 'type'
    source       TEXT        NOT NULL,                             -- CloudEvents 'source'
    subject      TEXT        NOT NULL,                             -- CloudEvents 'subject' (VM id, or host id)
    vm_id        TEXT,                                             -- extracted where the record has one
    host_id      TEXT,
    migration_id TEXT,
    event_time   TIMESTAMPTZ NOT NULL,                             -- CloudEvents 'time'
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    topic        TEXT        NOT NULL,                             -- where the record was read
    partition    INTEGER     NOT NULL,
    kafka_offset BIGINT      NOT NULL,
    record       JSONB       NOT NULL,                             -- the whole CloudEvent as received
    CONSTRAINT audit_log_event_id_key UNIQUE (event_id)
);

-- The queries: by VM, host, migration or type (exact or prefix), each within a time range.
CREATE INDEX audit_log_vm_time_idx        ON audit_log (vm_id, event_time) WHERE vm_id IS NOT NULL;
CREATE INDEX audit_log_host_time_idx      ON audit_log (host_id, event_time) WHERE host_id IS NOT NULL;
CREATE INDEX audit_log_migration_time_idx ON audit_log (migration_id, event_time) WHERE migration_id IS NOT NULL;
CREATE INDEX audit_log_type_idx           ON audit_log (type text_pattern_ops, event_time);  -- LIKE 'prefix%'
CREATE INDEX audit_log_time_idx           ON audit_log (event_time);

-- Append-only: no statement may change or remove what was recorded.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'audit records are never changed or deleted; insert a new record instead';
END
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Dead letters: records that are not valid Drover records (or that PostgreSQL cannot store), kept byte for
-- byte so that nothing read from Kafka is lost. One row per Kafka position, so a replay adds nothing.
CREATE TABLE audit_rejects (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic        TEXT        NOT NULL,
    partition    INTEGER     NOT NULL,
    kafka_offset BIGINT      NOT NULL,
    record_key   BYTEA,                                            -- the Kafka key, raw
    raw_value    BYTEA,                                            -- the Kafka value, raw (NULL: a tombstone)
    error        TEXT        NOT NULL,                             -- what is wrong with it
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT audit_rejects_position_key UNIQUE (topic, partition, kafka_offset)
);
