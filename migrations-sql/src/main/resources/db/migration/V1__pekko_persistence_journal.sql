-- The coordinator's event-sourced state: the tables pekko-persistence-jdbc 1.1 reads and writes
-- with its Postgres dialect (column names and types are the plugin's contract).

CREATE TABLE event_journal (
    ordering           BIGSERIAL,
    persistence_id     VARCHAR(255) NOT NULL,
    sequence_number    BIGINT       NOT NULL,
    deleted            BOOLEAN      NOT NULL DEFAULT FALSE,
    writer             VARCHAR(255) NOT NULL,
    write_timestamp    BIGINT,
    adapter_manifest   VARCHAR(255),
    event_ser_id       INTEGER      NOT NULL,
    event_ser_manifest VARCHAR(255) NOT NULL,
    event_payload      BYTEA        NOT NULL,
    meta_ser_id        INTEGER,
    meta_ser_manifest  VARCHAR(255),
    meta_payload       BYTEA,
    PRIMARY KEY (persistence_id, sequence_number)
);
CREATE UNIQUE INDEX event_journal_ordering_idx ON event_journal (ordering);

CREATE TABLE event_tag (
    event_id        BIGINT,
    persistence_id  VARCHAR(255),
    sequence_number BIGINT,
    tag             VARCHAR(256),
    PRIMARY KEY (persistence_id, sequence_number, tag),
    CONSTRAINT fk_event_journal FOREIGN KEY (persistence_id, sequence_number)
        REFERENCES event_journal (persistence_id, sequence_number) ON DELETE CASCADE
);
CREATE INDEX event_tag_idx ON event_tag (tag);

CREATE TABLE snapshot (
    persistence_id        VARCHAR(255) NOT NULL,
    sequence_number       BIGINT       NOT NULL,
    created               BIGINT       NOT NULL,
    snapshot_ser_id       INTEGER      NOT NULL,
    snapshot_ser_manifest VARCHAR(255) NOT NULL,
    snapshot_payload      BYTEA        NOT NULL,
    meta_ser_id           INTEGER,
    meta_ser_manifest     VARCHAR(255),
    meta_payload          BYTEA,
    PRIMARY KEY (persistence_id, sequence_number)
);

CREATE TABLE durable_state (
    global_offset         BIGSERIAL,
    persistence_id        VARCHAR(255) NOT NULL,
    revision              BIGINT       NOT NULL,
    state_payload         BYTEA        NOT NULL,
    state_serial_id       INTEGER      NOT NULL,
    state_serial_manifest VARCHAR(255),
    tag                   VARCHAR,
    state_timestamp       BIGINT       NOT NULL,
    PRIMARY KEY (persistence_id)
);
CREATE INDEX state_tag_idx ON durable_state (tag);
CREATE INDEX state_global_offset_idx ON durable_state (global_offset);
