package io.drover.agent.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.drover.events.CommandResult;
import io.drover.events.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's record of every command id it has seen, so that a command is executed at most once,
 * across Kafka redeliveries and agent restarts.
 *
 * <p>One JSON file per command id under {@code <dataDir>/commands/}, named by the SHA-256 of the id
 * (any id is then a safe, fixed-length file name), written atomically and fsync'd
 * ({@link AtomicFiles}). A command goes {@link State#IN_PROGRESS} before it runs and {@link State#DONE},
 * with its result, after. One file per id, rather than an append-only log, makes the look-up a single
 * read and needs no compaction; the ids are kept forever, like the coordinator's own idempotency keys.
 */
final class CommandJournal {
    /** Where a command stands. */
    enum State { IN_PROGRESS, DONE }

    /**
     * One journal file.
     *
     * @param result null while in progress
     */
    record Entry(@JsonProperty("commandId") String commandId, @JsonProperty("command") String command,
                 @JsonProperty("state") State state, @JsonProperty("startedAt") Instant startedAt,
                 @JsonProperty("result") CommandResult result) {
        Entry {
            Objects.requireNonNull(commandId, "commandId");
            Objects.requireNonNull(state, "state");
        }
    }

    private final Path dir;

    CommandJournal(Path dataDir) {
        this.dir = dataDir.resolve("commands");
    }

    Optional<Entry> find(String commandId) {
        Path f = file(commandId);
        try {
            Entry e = Json.mapper().readValue(Files.readAllBytes(f), Entry.class);
            if (!e.commandId().equals(commandId)) {
                throw new IllegalStateException("journal file " + f + " holds command id '" + e.commandId()
                        + "', not '" + commandId + "'");
            }
            return Optional.of(e);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read command journal file " + f, e);
        }
    }

    /** Durably marks the command as started: from here a crash leaves it in progress. */
    void begin(String commandId, String command) {
        write(new Entry(commandId, command, State.IN_PROGRESS, Instant.now(), null));
    }

    /** Durably records the command's result. */
    void complete(CommandResult result) {
        Instant started = find(result.commandId()).map(Entry::startedAt).orElse(Instant.now());
        write(new Entry(result.commandId(), result.command(), State.DONE, started, result));
    }

    private void write(Entry e) {
        try {
            AtomicFiles.write(file(e.commandId()), Json.mapper().writeValueAsBytes(e));
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot serialise journal entry of " + e.commandId(), ex);
        }
    }

    /** The journal file of {@code commandId}. */
    Path file(String commandId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(commandId.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(hash) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
