package io.drover.agent.service;

import io.drover.agent.qemu.QemuProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Kills every QEMU an agent started under a data directory (tests must leave none behind). */
final class Qemus {
    private Qemus() {
    }

    static void killAll(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) return;
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path meta : files.filter(f -> f.getFileName().toString().equals("instance.properties")).toList()) {
                try {
                    QemuProcess.reattach(meta.getParent()).kill();
                } catch (RuntimeException e) {
                    // not a live instance
                }
            }
        }
    }
}
