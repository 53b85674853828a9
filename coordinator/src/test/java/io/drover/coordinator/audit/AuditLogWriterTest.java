package io.drover.coordinator.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.broker.EmbeddedKafka;
import io.drover.coordinator.audit.SampleRecords.Sample;
import io.drover.events.DroverRecord;
import io.drover.events.DroverRecordSerializer;
import io.drover.events.Json;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The writer against a real Kafka and a real PostgreSQL: each record once, poison to the rejects, replays harmless. */
class AuditLogWriterTest {
    /** Generous for a busy 2-core machine; a healthy run takes a few seconds. */
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00.123456Z");

    @TempDir static Path tmp;
    static EmbeddedKafka kafka;
    static TestDatabase db;
    static KafkaProducer<String, DroverRecord<?>> producer;
    static KafkaProducer<byte[], byte[]> rawProducer;
    /** Records this class has sent to Kafka, across tests: what a full replay reads. */
    static int sent;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        for (String topic : AuditLogWriter.TOPICS) {
            kafka.createTopic(topic, topic.equals(Topics.AGENT_EVENTS) ? 2 : 1);
        }
        db = new TestDatabase();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(config, new StringSerializer(), new DroverRecordSerializer());
        rawProducer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() throws Exception {
        if (producer != null) producer.close();
        if (rawProducer != null) rawProducer.close();
        if (db != null) db.close();
        if (kafka != null) kafka.close();
    }

    @Test
    void recordsOfEveryTypeLandOnceWithTheirIdsExtracted() throws Exception {
        List<Sample> samples = SampleRecords.oneOfEach("vm-a", "host-a", "mig-a", T0);
        send(samples);
        try (AuditLogWriter writer = new AuditLogWriter(kafka.bootstrapServers(), db.settings)) {
            pollUntil(writer, () -> countOf(samples) == samples.size());
        }
        try (Connection c = db.settings.connect();
             PreparedStatement ps = c.prepareStatement("SELECT type, source, subject, vm_id, host_id, migration_id,"
                     + " event_time, topic, record::text FROM audit_log WHERE event_id = ?")) {
            for (Sample s : samples) {
                DroverRecord<?> r = s.record();
                ps.setString(1, r.id());
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next(), r.type());
                    assertEquals(r.type(), rs.getString("type"));
                    assertEquals(r.source(), rs.getString("source"));
                    assertEquals(r.subject(), rs.getString("subject"));
                    assertEquals(s.vmId(), rs.getString("vm_id"), "vm_id of " + r.type());
                    assertEquals(s.hostId(), rs.getString("host_id"), "host_id of " + r.type());
                    assertEquals(s.migrationId(), rs.getString("migration_id"), "migration_id of " + r.type());
                    assertEquals(r.time(), rs.getObject("event_time", OffsetDateTime.class).toInstant());
                    assertEquals(s.topic(), rs.getString("topic"));
                    JsonNode stored = Json.mapper().readTree(rs.getString("record"));
                    assertEquals(Json.mapper().readTree(Json.mapper().writeValueAsString(r)), stored,
                            "the whole CloudEvent of " + r.type());
                }
            }
        }
    }

    @Test
    void aReplayOfTheTopicsLeavesEachRecordExactlyOnce() throws Exception {
        List<Sample> samples = new ArrayList<>(SampleRecords.oneOfEach("vm-b", "host-b", "mig-b", T0));
        samples.addAll(SampleRecords.events("vm-b2", "host-b", 50, T0));
        send(samples);
        rawProducer.send(new ProducerRecord<>(Topics.AGENT_EVENTS, bytes("poison-b"), bytes("{oops"))).get();
        sent++;
        try (AuditLogWriter writer = new AuditLogWriter(kafka.bootstrapServers(), db.settings)) {
            pollUntil(writer, () -> countOf(samples) == samples.size()
                    && count("SELECT count(*) FROM audit_rejects WHERE record_key = 'poison-b'::bytea") == 1);
        }
        long logged = count("SELECT count(*) FROM audit_log");
        long rejected = count("SELECT count(*) FROM audit_rejects");

        int replayed = 0;
        int inserted = 0;
        try (AuditLogWriter replay = new AuditLogWriter(kafka.bootstrapServers(), "replay-" + UUID.randomUUID(),
                AuditLogWriter.TOPICS, db.settings)) {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (replayed < sent) {
                BatchResult batch = replay.pollOnce(POLL);
                replayed += batch.read();
                inserted += batch.inserted();
                if (System.nanoTime() > deadline) fail("the replay read " + replayed + " of " + sent + " records");
            }
        }
        assertEquals(sent, replayed, "the replay read every record sent");
        assertEquals(0, inserted, "the replay inserted nothing");
        assertEquals(logged, count("SELECT count(*) FROM audit_log"), "audit_log unchanged by the replay");
        assertEquals(rejected, count("SELECT count(*) FROM audit_rejects"), "audit_rejects unchanged by the replay");
        assertEquals(0, count("SELECT count(*) FROM (SELECT event_id FROM audit_log GROUP BY event_id HAVING count(*) > 1) d"));
        assertEquals(samples.size(), countOf(samples), "each of this test's records once");
    }

    @Test
    void poisonRecordsGoToTheRejectsNamingTheProblemAndTheRecordsAfterThemStillLand() throws Exception {
        byte[] notJson = bytes("this is not JSON");
        byte[] noType = Json.mapper().writeValueAsBytes(Json.mapper().createObjectNode().put("specversion", "1.0")
                .put("id", UUID.randomUUID().toString()).put("source", "drover://host/h").put("subject", "vm-c")
                .put("time", T0.toString()).put("datacontenttype", "application/json").put("droverschemaversion", 1));
        rawProducer.send(new ProducerRecord<>(Topics.AGENT_EVENTS, bytes("poison-c1"), notJson)).get();
        rawProducer.send(new ProducerRecord<>(Topics.AGENT_COMMANDS, bytes("poison-c2"), noType)).get();
        rawProducer.send(new ProducerRecord<>(Topics.AGENT_EVENTS, bytes("poison-c3"), null)).get();
        // Valid for Drover, refused by PostgreSQL: jsonb and text cannot hold NUL.
        DroverRecord<?> nul = new io.drover.events.CoordinatorDecision("mig-nul", 1, "vm-c", "host-c", "kvm-dst", "MigrationFailed",
                "MIGRATING", "FAILED", "a\u0000b", null).record(SampleRecords.COORDINATOR_SOURCE, T0);
        producer.send(new ProducerRecord<>(Topics.COORDINATOR_DECISIONS, "poison-c4", nul)).get();
        sent += 4;
        List<Sample> after = SampleRecords.oneOfEach("vm-c", "host-c", "mig-c", T0);
        send(after);

        try (AuditLogWriter writer = new AuditLogWriter(kafka.bootstrapServers(), db.settings)) {
            pollUntil(writer, () -> countOf(after) == after.size());
        }
        assertReject("poison-c1", notJson, "not valid JSON");
        assertReject("poison-c2", noType, "missing required CloudEvents attribute 'type'");
        assertReject("poison-c3", null, "null value (a tombstone)");
        assertReject("poison-c4", Json.mapper().writeValueAsBytes(nul), "PostgreSQL cannot store record " + nul.id());
        assertEquals(0, count("SELECT count(*) FROM audit_log WHERE event_id = '" + nul.id() + "'"));
        assertEquals(0, count("SELECT count(*) FROM audit_rejects WHERE error LIKE '%INSERT INTO%'"),
                "the server's reason, not the statement");
    }

    @Test
    void runKeepsWritingUntilClosedFromAnotherThread() throws Exception {
        AuditLogWriter writer = new AuditLogWriter(kafka.bootstrapServers(), db.settings);
        Thread thread = new Thread(writer, "audit-writer");
        thread.start();
        try {
            List<Sample> first = SampleRecords.events("vm-d", "host-d", 5, T0);
            send(first);
            awaitCount(first);
            List<Sample> second = SampleRecords.oneOfEach("vm-d", "host-d", "mig-d", T0);
            send(second);
            awaitCount(second);
        } finally {
            writer.close();
            thread.join(DEADLINE.toMillis());
        }
        assertFalse(thread.isAlive(), "run() returns after close()");
    }

    private static void awaitCount(List<Sample> samples) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (countOf(samples) < samples.size()) {
            if (System.nanoTime() > deadline) fail("the running writer did not write the records in " + DEADLINE);
            Thread.sleep(POLL.toMillis());
        }
    }

    private static void assertReject(String key, byte[] value, String error) throws Exception {
        try (Connection c = db.settings.connect();
             PreparedStatement ps = c.prepareStatement("SELECT raw_value, error FROM audit_rejects WHERE record_key = ?")) {
            ps.setBytes(1, bytes(key));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "a reject for " + key);
                if (value == null) {
                    assertNull(rs.getBytes("raw_value"));
                } else {
                    assertArrayEquals(value, rs.getBytes("raw_value"), "the raw value of " + key);
                }
                assertTrue(rs.getString("error").contains(error), rs.getString("error"));
            }
        }
    }

    private static void send(List<Sample> samples) throws Exception {
        for (Sample s : samples) {
            producer.send(new ProducerRecord<>(s.topic(), s.key(), s.record()));
        }
        producer.flush();
        sent += samples.size();
        assertTrue(samples.stream().anyMatch(s -> RecordTypes.isQmp(s.record().type())));
    }

    private static void pollUntil(AuditLogWriter writer, BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("the audit log did not get the records in " + DEADLINE);
            writer.pollOnce(POLL);
        }
    }

    private static long countOf(List<Sample> samples) {
        String ids = String.join("','", samples.stream().map(s -> s.record().id()).toList());
        return count("SELECT count(*) FROM audit_log WHERE event_id IN ('" + ids + "')");
    }

    private static long count(String sql) {
        try {
            return db.count(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
