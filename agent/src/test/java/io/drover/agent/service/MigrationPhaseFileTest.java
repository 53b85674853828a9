package io.drover.agent.service;

import io.drover.agent.engine.MigrationPhase;
import io.drover.events.MigrationPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MigrationPhaseFileTest {
    @TempDir
    Path vmDir;

    @Test
    void theLastSaveIsWhatAnAgentRestartedLaterReads() throws IOException {
        assertEquals(Optional.empty(), MigrationPhaseFile.load(vmDir));
        MigrationPhaseFile f = new MigrationPhaseFile(vmDir, new MigrationPhaseFile.Saved("m-1", null,
                MigrationPolicy.defaults(), "kvm", MigrationPhase.CONFIGURING));
        f.save("m-1", MigrationPhase.CONFIGURING);
        f.uri("tcp:10.0.0.2:49152");
        f.save("m-1", MigrationPhase.MIGRATING);
        MigrationPhaseFile.Saved s = MigrationPhaseFile.load(vmDir).orElseThrow();
        assertEquals(new MigrationPhaseFile.Saved("m-1", "tcp:10.0.0.2:49152", MigrationPolicy.defaults(), "kvm",
                MigrationPhase.MIGRATING), s);
        try (var files = Files.list(vmDir)) {
            assertEquals(1, files.count(), "no temporary file is left beside it");
        }
    }
}
