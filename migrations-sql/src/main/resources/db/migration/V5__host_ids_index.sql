-- The ids of the host entities, which GET /api/hosts and every POST /api/migrations read, and the coordinator at
-- start: each host's first event (sequence number 1; host events are never deleted), found through this partial
-- index, one entry per host. Without it the query scanned the whole journal, which grows with every migration's
-- progress samples: 75 ms at a million rows, measured with EXPLAIN ANALYZE. The query must keep this predicate
-- (Coordinator.HOST_IDS_SQL).
CREATE INDEX event_journal_host_idx ON event_journal (persistence_id)
    WHERE sequence_number = 1 AND persistence_id LIKE 'Host|%';
