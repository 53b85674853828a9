package io.drover.agent.service;

import io.drover.agent.dialect.QemuDialect;
import io.drover.agent.guest.DirtyGuestImage;
import io.drover.agent.guest.DirtyGuestSpec;
import io.drover.agent.qemu.Accel;
import io.drover.agent.qemu.QemuLauncher;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.qemu.Role;
import io.drover.agent.qemu.VmSpec;
import io.drover.agent.qmp.QmpClient;
import io.drover.agent.qmp.QmpEndpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Learns what the host's QEMU speaks when no VM runs yet: starts a throw-away QEMU waiting for an
 * incoming migration (its vCPUs never run), reads its dialect over QMP and kills it.
 */
final class DialectProbe {
    /** The smallest RAM QEMU instances may have: the probe only answers QMP. */
    private static final int PROBE_MEMORY_MIB = VmSpec.MIN_MEMORY_MIB;
    private static final String PROBE_VM = "dialect-probe";

    private DialectProbe() {
    }

    static QemuDialect probe(Path dataDir, Accel accel) {
        Path dir = dataDir.resolve("probe");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        Path image = DirtyGuestImage.writeDiskImage(DirtyGuestSpec.idle(), dir.resolve("idle.img"));
        QemuProcess p = new QemuLauncher(dir, accel).start(new VmSpec(PROBE_VM, PROBE_MEMORY_MIB, 1, image),
                Role.DESTINATION, "probe");
        try (QmpClient qmp = QmpClient.connect(new QmpEndpoint.Unix(p.qmpSocket()), VmManager.QMP_CONNECT_TIMEOUT)) {
            return QemuDialect.learnCached(qmp); // and every QEMU of this build started later finds it there
        } finally {
            p.kill();
        }
    }
}
