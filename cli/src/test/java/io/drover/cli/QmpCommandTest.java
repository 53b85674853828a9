package io.drover.cli;

import io.drover.agent.guest.DirtyGuestImage;
import io.drover.agent.guest.DirtyGuestSpec;
import io.drover.agent.qemu.Accel;
import io.drover.agent.qemu.QemuLauncher;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.qemu.Role;
import io.drover.agent.qemu.VmSpec;
import io.drover.events.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code drover qmp} against a real QEMU 7.2: the 2017 vocabulary through the dialect layer. */
class QmpCommandTest {
    @TempDir static Path tmp;
    static QemuProcess qemu;
    static String socket;

    @BeforeAll
    static void boot() {
        Path image = DirtyGuestImage.writeDiskImage(DirtyGuestSpec.idle(), tmp.resolve("guest.img"));
        qemu = new QemuLauncher(tmp.resolve("vms"), Accel.detect()).start(new VmSpec("vm-qmp", 64, 1, image), Role.SOURCE, "source");
        socket = qemu.qmpSocket().toString();
    }

    @AfterAll
    static void stop() {
        if (qemu != null) qemu.kill();
    }

    @Test
    void aRemoved2017CommandWorksThroughTheDialectLayer() throws Exception {
        DroverCliTest.Run set = DroverCliTest.run("qmp", "--socket", socket, "migrate_set_downtime", "{\"value\": 0.5}");
        assertEquals(0, set.exit(), set.err());
        DroverCliTest.Run params = DroverCliTest.run("qmp", "--socket", "unix:" + socket, "query-migrate-parameters");
        assertEquals(0, params.exit(), params.err());
        assertEquals(500, Json.mapper().readTree(params.out()).path("downtime-limit").asInt());
    }

    @Test
    void theDialectListsWhatThisQemuSpeaks() throws Exception {
        DroverCliTest.Run r = DroverCliTest.run("qmp", "--socket", socket, "--dialect");
        assertEquals(0, r.exit(), r.err());
        var d = Json.mapper().readTree(r.out());
        assertTrue(d.path("version").asText().startsWith("7.2"), r.out());
        assertTrue(d.path("capabilities").toString().contains("\"multifd\""), r.out());
    }

    @Test
    void errorsNameWhatIsWrong() {
        DroverCliTest.Run gone = DroverCliTest.run("qmp", "--socket", socket, "migrate-set-parameters", "{\"x-multifd-page-count\": 16}");
        assertEquals(1, gone.exit());
        assertTrue(gone.err().contains("x-multifd-page-count") && gone.err().contains("QEMU 7.2"), gone.err());
        DroverCliTest.Run qemuSays = DroverCliTest.run("qmp", "--socket", socket, "migrate", "{\"uri\": \"bogus:x\"}");
        assertEquals(1, qemuSays.exit());
        assertTrue(qemuSays.err().contains("migrate failed") && qemuSays.err().contains("valid migration protocol"), qemuSays.err());
        DroverCliTest.Run notJson = DroverCliTest.run("qmp", "--socket", socket, "migrate", "{uri");
        assertEquals(2, notJson.exit());
        assertTrue(notJson.err().contains("ARGUMENTS is not JSON"), notJson.err());
    }
}
