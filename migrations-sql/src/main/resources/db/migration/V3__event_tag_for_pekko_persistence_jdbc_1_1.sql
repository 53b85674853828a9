-- pekko-persistence-jdbc 1.1.x writes a tag as (event_id, tag), event_id being the event's
-- event_journal.ordering; V1 created the newer layout (persistence_id, sequence_number), which
-- 1.1.x leaves empty, so every tagged write failed on its NOT NULL key. No tag was ever stored,
-- so the table is replaced.
DROP TABLE event_tag;

CREATE TABLE event_tag (
    event_id BIGINT       NOT NULL,
    tag      VARCHAR(256) NOT NULL,
    PRIMARY KEY (event_id, tag),
    CONSTRAINT fk_event_journal FOREIGN KEY (event_id) REFERENCES event_journal (ordering) ON DELETE CASCADE
);
CREATE INDEX event_tag_tag_idx ON event_tag (tag);
