package io.drover.agent.local;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.drover.agent.engine.MigrationPhase;
import io.drover.events.MigrationPolicy;
import io.drover.agent.engine.PhaseStore;
import io.drover.agent.guest.DirtyGuestSpec;
import io.drover.events.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The agent's durable record of one local migration: enough to re-attach after the agent
 * restarts (the QEMU processes are daemonized and keep migrating). Each save writes a temporary
 * file and renames it over the old one, so a kill -9 leaves either the old or the new record.
 */
public final class MigrationStateFile implements PhaseStore {
    public static final String NAME = "migration.json";

    /** What is saved. */
    public record State(
            @JsonProperty("migrationId") String migrationId,
            @JsonProperty("vmId") String vmId,
            @JsonProperty("memoryMiB") int memoryMiB,
            @JsonProperty("vcpus") int vcpus,
            @JsonProperty("uri") String uri,
            @JsonProperty("sourceDir") Path sourceDir,
            @JsonProperty("destinationDir") Path destinationDir,
            @JsonProperty("guest") DirtyGuestSpec guest,
            @JsonProperty("policy") MigrationPolicy policy,
            @JsonProperty("accel") String accel,
            @JsonProperty("phase") MigrationPhase phase) {
        State withPhase(MigrationPhase p) {
            return new State(migrationId, vmId, memoryMiB, vcpus, uri, sourceDir, destinationDir, guest, policy, accel, p);
        }
    }

    private final Path file;
    private State state;

    private MigrationStateFile(Path file, State state) {
        this.file = file;
        this.state = state;
    }

    public static MigrationStateFile create(Path workDir, State initial) {
        MigrationStateFile f = new MigrationStateFile(workDir.resolve(NAME), initial);
        f.write();
        return f;
    }

    public static MigrationStateFile load(Path workDir) {
        Path file = workDir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no migration to recover in " + workDir + " (" + NAME + " is missing)");
        }
        try {
            return new MigrationStateFile(file, Json.mapper().readValue(file.toFile(), State.class));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public synchronized State state() {
        return state;
    }

    @Override
    public synchronized void save(String migrationId, MigrationPhase phase) {
        state = state.withPhase(phase);
        write();
    }

    private void write() {
        try {
            Path tmp = file.resolveSibling(NAME + ".tmp");
            Files.write(tmp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save migration state to " + file, e);
        }
    }
}
