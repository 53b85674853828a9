package io.drover.agent.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.drover.agent.engine.MigrationPhase;
import io.drover.agent.engine.PhaseStore;
import io.drover.events.Json;
import io.drover.events.MigrationPolicy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A VM's source-side migration as the engine last saved it, in {@code <dataDir>/vms/<vmId>/migration.json}
 * (written atomically before each irreversible step): enough to re-attach to it after an agent restart.
 *
 * <p>Saved for the agent's crash, not the host's ({@link AtomicFiles#replace}): it describes a migration of a
 * running QEMU, and is only read to re-attach to one ({@code MigrationCommands.resumeSaved}); a host that crashed
 * took that QEMU with it. The save before {@code migrate} is on the path of every migration: with the two fsyncs
 * of a durable write the step took 8 to 56 ms in {@code drover bench control-plane} on 2 cores (the coordinator's
 * database and the other agent writing meanwhile); without them the write took 0.7 to 5 ms.
 */
final class MigrationPhaseFile implements PhaseStore {
    static final String FILE = "migration.json";

    /** What the file holds: the migration as started, and its phase. */
    record Saved(@JsonProperty("migrationId") String migrationId, @JsonProperty("uri") String uri,
                 @JsonProperty("policy") MigrationPolicy policy, @JsonProperty("accel") String accel,
                 @JsonProperty("phase") MigrationPhase phase) {
    }

    private final Path file;
    private volatile Saved saved;

    MigrationPhaseFile(Path vmDir, Saved initial) {
        this.file = vmDir.resolve(FILE);
        this.saved = initial;
    }

    /** The migration saved for the VM in {@code vmDir}, if any. */
    static Optional<Saved> load(Path vmDir) {
        Path f = vmDir.resolve(FILE);
        try {
            return Optional.of(Json.mapper().readValue(Files.readAllBytes(f), Saved.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    Saved saved() {
        return saved;
    }

    @Override
    public void uri(String uri) {
        Saved s = saved;
        saved = new Saved(s.migrationId(), uri, s.policy(), s.accel(), s.phase());
    }

    @Override
    public void save(String migrationId, MigrationPhase phase) {
        Saved s = saved;
        Saved next = new Saved(migrationId, s.uri(), s.policy(), s.accel(), phase);
        try {
            AtomicFiles.replace(file, Json.mapper().writeValueAsBytes(next));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the phase of migration " + migrationId, e);
        }
        saved = next;
    }
}
