package io.drover.agent.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.events.MigrationPolicy;
import io.drover.agent.guest.DirtyGuestSpec;
import io.drover.agent.local.LocalMigration;
import io.drover.agent.qemu.Accel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 2017 migration vocabulary against the real QEMU 7.2 on this machine, through the dialect layer. */
class LegacyTranslatorTest {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final long MiB = 1 << 20;

    @TempDir static Path tmp;
    static LocalMigration vms;
    static QemuDialect dialect;
    static LegacyTranslator src;
    static LegacyTranslator dst;

    @BeforeAll
    static void boot() {
        vms = LocalMigration.prepare(tmp.resolve("legacy"), "vm-legacy", 128, 1, DirtyGuestSpec.idle(),
                MigrationPolicy.defaults(), Accel.detect());
        dialect = vms.sourceEndpoint().dialect();
        src = vms.sourceEndpoint().legacy();
        dst = vms.destinationEndpoint().legacy();
    }

    @AfterAll
    static void stop() {
        if (vms != null) vms.close();
    }

    static ObjectNode value(double v) {
        return JSON.objectNode().put("value", v);
    }

    static ObjectNode value(long v) {
        return JSON.objectNode().put("value", v);
    }

    static JsonNode params() {
        return src.execute("query-migrate-parameters", null);
    }

    @Test
    void learnsTheDialectFromTheSchema() {
        assertEquals(7, dialect.version().major());
        assertTrue(dialect.fromSchema(), dialect.toString());
        assertTrue(dialect.capabilities().contains("multifd"));
        assertFalse(dialect.capabilities().contains("x-multifd"));
        assertTrue(dialect.parameters().contains("multifd-channels"));
        assertFalse(dialect.hasCommand("migrate_set_downtime"), "QEMU 7.2 removed migrate_set_downtime");
        assertTrue(dialect.events().containsAll(java.util.List.of("MIGRATION", "MIGRATION_PASS", "JOB_STATUS_CHANGE", "COLO_EXIT")));
    }

    @Test
    void oneQemuBuildIsLearnedOnceAndTheCachedDialectIsWhatAskingGives() {
        // Both QEMUs of the pair are the same binary: the second endpoint got the first one's dialect.
        assertTrue(dialect == vms.destinationEndpoint().dialect(), "one dialect per QEMU build");
        QemuDialect asked = QemuDialect.learn(vms.destinationEndpoint().qmp());
        assertTrue(asked != dialect, "learn() always asks");
        assertEquals(asked.version(), dialect.version());
        assertEquals(asked.commands(), dialect.commands());
        assertEquals(asked.events(), dialect.events());
        assertEquals(asked.capabilities(), dialect.capabilities());
        assertEquals(asked.parameters(), dialect.parameters());
        assertTrue(QemuDialect.learnCached(vms.sourceEndpoint().qmp()) == dialect);
    }

    @Test
    void migrateSetDowntimeInSecondsBecomesDowntimeLimitInMilliseconds() {
        src.execute("migrate_set_downtime", value(0.75));
        assertEquals(750, params().path("downtime-limit").asLong());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> src.execute("migrate_set_downtime", value(-1.0)));
        assertTrue(e.getMessage().contains("migrate_set_downtime"), e.getMessage());
    }

    @Test
    void migrateSetSpeedBecomesMaxBandwidth() {
        src.execute("migrate_set_speed", value(48 * MiB));
        assertEquals(48 * MiB, params().path("max-bandwidth").asLong());
    }

    @Test
    void cacheSizeCommandsBecomeXbzrleCacheSize() {
        src.execute("migrate-set-cache-size", value(128 * MiB));
        assertEquals(128 * MiB, params().path("xbzrle-cache-size").asLong());
        JsonNode size = src.execute("query-migrate-cache-size", null);
        assertTrue(size.isIntegralNumber(), "2017 shape: a bare int, got " + size);
        assertEquals(128 * MiB, size.asLong());
    }

    @Test
    void xMultifdBecomesMultifdAndIsReportedUnderBothNames() {
        ObjectNode caps = JSON.objectNode();
        caps.putArray("capabilities").addObject().put("capability", "x-multifd").put("state", true);
        src.execute("migrate-set-capabilities", caps);
        boolean multifd = false, xMultifd = false;
        for (JsonNode c : src.execute("query-migrate-capabilities", null)) {
            if (c.path("capability").asText().equals("multifd")) multifd = c.path("state").asBoolean();
            if (c.path("capability").asText().equals("x-multifd")) xMultifd = c.path("state").asBoolean();
        }
        assertTrue(multifd && xMultifd, "multifd on, and listed as x-multifd too");
        src.execute("migrate-set-parameters", JSON.objectNode().put("x-multifd-channels", 3));
        assertEquals(3, params().path("multifd-channels").asInt());
        assertEquals(3, params().path("x-multifd-channels").asInt());
        ((ObjectNode) caps.withArray("capabilities").get(0)).put("state", false);
        src.execute("migrate-set-capabilities", caps);
    }

    @Test
    void aFeatureThisQemuLacksNamesTheFeatureAndTheVersion() {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> src.execute("migrate-set-parameters", JSON.objectNode().put("x-multifd-page-count", 16)));
        assertTrue(e.getMessage().contains("x-multifd-page-count") && e.getMessage().contains("QEMU 7.2"), e.getMessage());
        UnsupportedFeatureException c = assertThrows(UnsupportedFeatureException.class,
                () -> src.execute("x-drover-no-such-command", null));
        assertTrue(c.getMessage().contains("'x-drover-no-such-command'") && c.getMessage().contains("QEMU 7.2"), c.getMessage());
    }

    @Test
    void aWholeMigrationDrivenWithThe2017Vocabulary() throws Exception {
        ObjectNode caps = JSON.objectNode();
        var list = caps.putArray("capabilities");
        list.addObject().put("capability", "events").put("state", true);
        list.addObject().put("capability", "x-multifd").put("state", true);
        for (LegacyTranslator end : new LegacyTranslator[]{src, dst}) {
            end.execute("migrate-set-capabilities", caps);
            end.execute("migrate-set-parameters", JSON.objectNode().put("x-multifd-channels", 2));
        }
        src.execute("migrate_set_downtime", value(1.0));
        src.execute("migrate_set_speed", value(512 * MiB));
        String uri = vms.state().uri();
        dst.execute("migrate-incoming", JSON.objectNode().put("uri", uri));
        src.execute("migrate", JSON.objectNode().put("uri", uri));
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        String status = "";
        while (!status.equals("completed") && Instant.now().isBefore(deadline)) {
            status = src.execute("query-migrate", null).path("status").asText();
            assertFalse(status.equals("failed"), src.execute("query-migrate", null).toString());
            Thread.sleep(50);
        }
        assertEquals("completed", status);
        while (!vms.destinationEndpoint().qmp().execute("query-status").path("running").asBoolean() && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
        assertTrue(vms.destinationEndpoint().qmp().execute("query-status").path("running").asBoolean());
    }
}
