package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.Objects;

/**
 * A command from the coordinator to one agent: the {@code data} of records of type
 * {@link RecordTypes#AGENT_COMMAND} on {@link Topics#AGENT_COMMANDS}, keyed by the target host id.
 *
 * <p>{@link #commandId()} is the idempotency key: an agent executes a command id at most once,
 * across redeliveries and its own restarts, and answers a repeat with the first result. The
 * coordinator re-sends a command under the same id when it is not sure the first one arrived.
 * The {@code command} member names the kind ({@link #command()}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "command")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AgentCommand.DefineVm.class, name = "define-vm"),
        @JsonSubTypes.Type(value = AgentCommand.StartVm.class, name = "start-vm"),
        @JsonSubTypes.Type(value = AgentCommand.StopVm.class, name = "stop-vm"),
        @JsonSubTypes.Type(value = AgentCommand.PrepareIncoming.class, name = "prepare-incoming"),
        @JsonSubTypes.Type(value = AgentCommand.StartMigration.class, name = "start-migration"),
        @JsonSubTypes.Type(value = AgentCommand.DestinationReady.class, name = "destination-ready"),
        @JsonSubTypes.Type(value = AgentCommand.TuneMigration.class, name = "tune-migration"),
        @JsonSubTypes.Type(value = AgentCommand.CancelMigration.class, name = "cancel-migration"),
        @JsonSubTypes.Type(value = AgentCommand.QueryMigration.class, name = "query-migration"),
        @JsonSubTypes.Type(value = AgentCommand.RetireVm.class, name = "retire-vm"),
        @JsonSubTypes.Type(value = AgentCommand.ResumeSource.class, name = "resume-source"),
})
public sealed interface AgentCommand {
    /** Unique per intended action; the idempotency key. */
    String commandId();

    /** The agent that must execute it (also the Kafka key). */
    String hostId();

    /** The VM it concerns (the CloudEvents subject). */
    String vmId();

    /**
     * The kind, e.g. {@code "define-vm"}: the {@code command} member on the wire. Written by this
     * getter rather than by the type information, so that it is there however the command is
     * serialised, also as the {@code data} of a {@link DroverRecord} (declared as a type variable,
     * where Jackson would leave the type id out).
     */
    @JsonProperty("command")
    default String command() {
        for (JsonSubTypes.Type t : AgentCommand.class.getAnnotation(JsonSubTypes.class).value()) {
            if (t.value() == getClass()) {
                return t.name();
            }
        }
        throw new IllegalStateException(getClass().getName() + " is not a registered command kind");
    }

    private static void require(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("command member '" + name + "' is missing");
        }
    }

    static void requireIds(String commandId, String hostId, String vmId) {
        require("commandId", commandId);
        require("hostId", hostId);
        require("vmId", vmId);
    }

    /**
     * Defines a VM on the host (not started): the test guest dirtying memory at a rate.
     *
     * @param dirtyRate bytes per second the guest dirties; 0 idle, -1 flat out
     */
    record DefineVm(@JsonProperty("commandId") String commandId, @JsonProperty("hostId") String hostId,
                    @JsonProperty("vmId") String vmId, @JsonProperty("memoryMiB") int memoryMiB,
                    @JsonProperty("vcpus") int vcpus, @JsonProperty("dirtyRate") long dirtyRate) implements AgentCommand {
        public DefineVm {
            AgentCommand.requireIds(commandId, hostId, vmId);
        }
    }

    record StartVm(@JsonProperty("commandId") String commandId, @JsonProperty("hostId") String hostId,
                   @JsonProperty("vmId") String vmId) implements AgentCommand {
        public StartVm {
            AgentCommand.requireIds(commandId, hostId, vmId);
        }
    }

    /** Stops a VM: a clean shutdown, or a kill when {@code force}. */
    record StopVm(@JsonProperty("commandId") String commandId, @JsonProperty("hostId") String hostId,
                  @JsonProperty("vmId") String vmId, @JsonProperty("force") boolean force) implements AgentCommand {
        public StopVm {
            AgentCommand.requireIds(commandId, hostId, vmId);
        }
    }

    /**
     * Destination side: start a QEMU for the VM with {@code -incoming defer}, set the policy's
     * capabilities and parameters, listen on a port the agent chooses. The result's data holds
     * {@code {"uri": "tcp:HOST:PORT"}}.
     *
     * @param handOff null, or whom the destination's agent tells the uri itself, with a {@link DestinationReady}, once
     *                it listens and has recorded the result: the source then migrates one Kafka hop after the
     *                destination is ready instead of three (libvirt's peer-to-peer mode, where the source drives the
     *                hand-off). An agent that does not know the member ignores it; the coordinator sends the same
     *                command under the same id when it learns the result, so the source hears it either way.
     */
    record PrepareIncoming(@JsonProperty("commandId") String commandId, @JsonProperty("hostId") String hostId,
                           @JsonProperty("vmId") String vmId, @JsonProperty("migrationId") String migrationId,
                           @JsonProperty("memoryMiB") int memoryMiB, @JsonProperty("vcpus") int vcpus,
                           @JsonProperty("policy") MigrationPolicy policy,
                           @JsonProperty("handOff") HandOff handOff) implements AgentCommand {
        public PrepareIncoming {
            AgentCommand.requireIds(commandId, hostId, vmId);
            Objects.requireNonNull(migrationId, "migrationId");
        }

        public PrepareIncoming(String commandId, String hostId, String vmId, String migrationId, int memoryMiB, int vcpus,
                               MigrationPolicy policy) {
            this(commandId, hostId, vmId, migrationId, memoryMiB, vcpus, policy, null);
        }
    }

    /** Where a prepared destination sends its {@link DestinationReady}: the source's host and the command's id. */
    record HandOff(@JsonProperty("hostId") String hostId, @JsonProperty("commandId") String commandId) {
        public HandOff {
            if (hostId == null || hostId.isBlank()) {
                throw new IllegalArgumentException("handOff member 'hostId' is missing");
            }
            if (commandId == null || commandId.isBlank()) {
                throw new IllegalArgumentException("handOff member 'commandId' is missing");
            }
        }
    }

    /**
     * Source side: the destination listens on {@code uri}. A source armed by a {@link StartMigration} without a uri
     * issues {@code migrate} now; one not armed yet keeps the uri for the start-migration to come. Sent by the
     * destination's agent (its {@link HandOff}) and by the coordinator once it has persisted the destination's result,
     * under the same id: the first to arrive acts, the other is answered as a repeat. The result's data holds
     * {@code "migrateIssued": true} once QEMU was told to migrate, or {@code "noted": true} when the source was not
     * armed yet.
     */
    record DestinationReady(@JsonProperty("commandId") String commandId, @JsonProperty("hostId") String hostId,
                            @JsonProperty("vmId") String vmId, @JsonProperty("migrationId") String migrationId,
                            @JsonProperty("uri") String uri) implements AgentCommand {
        public DestinationReady {
            AgentCommand.requireIds(commandId, hostId, vmId);
            Objects.requireNonNull(migrationId, "migrationId");
            if (uri == null || uri.isBlank()) {
                throw new IllegalArgumentException("command member 'uri' is missing");
            }
        }
    }

    /**
     * Source side: set the policy's capabilities and parameters, then {@code migrate} to {@code uri}, and follow it.
     * Without a uri the source is armed: it configures QEMU at once and migrates when the {@link DestinationReady}
     * of this migration arrives (the result's data then holds {@code "armed": true}); a cancel-migration disarms it.
     */
    record StartMigration(@JsonProperty("commandId") String commandId, @JsonProperty("hostId") String hostId,
                          @JsonProperty("vmId") String vmId, @JsonProperty("migrationId") String migrationId,
                          @JsonProperty("uri") String uri, @JsonProperty("policy") MigrationPolicy policy) implements AgentCommand {
        public StartMigration {
            AgentCommand.requireIds(commandId, hostId, vmId);
            Objects.requireNonNull(migrationId, "migrationId");
        }
    }

    /** Mid-flight changes; null members stay as they are. */
    record TuneMigration(@JsonProperty("commandId") String commandId, @JsonProperty("hostId") String hostId,
                         @JsonProperty("vmId") String vmId, @JsonProperty("migrationId") String migrationId,
                         @JsonProperty("downtimeLimitMs") Long downtimeLimitMs,
                         @JsonProperty("maxBandwidth") Long maxBandwidth,
                         @JsonProperty("autoConverge") Boolean autoConverge,
                         @JsonProperty("startPostcopy") Boolean startPostcopy) implements AgentCommand {
        public TuneMigration {
            AgentCommand.requireIds(commandId, hostId, vmId);
        }
    }

    /** {@code migrate_cancel}; the agent refuses it for a migration in post-copy. */
    record CancelMigration(@JsonProperty("commandId") String commandId, @JsonProperty("hostId") String hostId,
                           @JsonProperty("vmId") String vmId, @JsonProperty("migrationId") String migrationId) implements AgentCommand {
        public CancelMigration {
            AgentCommand.requireIds(commandId, hostId, vmId);
        }
    }

    /** What QEMU reports for the VM now ({@code query-migrate}, {@code query-status}), for reconciliation. */
    record QueryMigration(@JsonProperty("commandId") String commandId, @JsonProperty("hostId") String hostId,
                          @JsonProperty("vmId") String vmId, @JsonProperty("migrationId") String migrationId) implements AgentCommand {
        public QueryMigration {
            AgentCommand.requireIds(commandId, hostId, vmId);
        }
    }

    /** After a confirmed migration: stop the source QEMU, which must not run the VM again. */
    record RetireVm(@JsonProperty("commandId") String commandId, @JsonProperty("hostId") String hostId,
                    @JsonProperty("vmId") String vmId, @JsonProperty("migrationId") String migrationId) implements AgentCommand {
        public RetireVm {
            AgentCommand.requireIds(commandId, hostId, vmId);
        }
    }

    /**
     * Source side, after a pre-copy migration completed but the destination lost the guest before running
     * it: {@code cont} on the source QEMU, which still holds the guest's whole state (paused in
     * {@code postmigrate}). The agent refuses it after post-copy, where the newest state was on the destination;
     * a source already running answers without acting.
     */
    record ResumeSource(@JsonProperty("commandId") String commandId, @JsonProperty("hostId") String hostId,
                        @JsonProperty("vmId") String vmId, @JsonProperty("migrationId") String migrationId) implements AgentCommand {
        public ResumeSource {
            AgentCommand.requireIds(commandId, hostId, vmId);
            Objects.requireNonNull(migrationId, "migrationId");
        }
    }
}
