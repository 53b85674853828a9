package io.drover.coordinator.infra;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.coordinator.host.HostCommand;
import io.drover.coordinator.host.HostSummary;
import io.drover.coordinator.migration.MigrationCommand;
import io.drover.coordinator.migration.MigrationSummary;
import io.drover.events.CommandResult;
import io.drover.events.DroverRecord;
import io.drover.events.HostStatus;
import io.drover.events.Json;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationRole;
import io.drover.events.MigrationSample;
import io.drover.events.MigrationStatus;
import io.drover.events.RecordTypes;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

import java.util.Optional;
import java.util.function.Function;

/**
 * What the agents publish, as commands for the entities: pure, so the Kafka side only reads, routes and
 * tells. Command results find their migration by the command id alone ({@code migration/<id>/<step>},
 * see MigrationEntity.commandId); samples and outcomes carry their migration id; host records their host id.
 */
public final class AgentInputs {
    private static final String PREFIX = "migration/";

    private AgentInputs() {
    }

    /** A command for migration {@code migrationId}. */
    public record ForMigration(String migrationId,
                               Function<ActorRef<StatusReply<MigrationSummary>>, MigrationCommand> command) {
    }

    /** A command for host {@code hostId}. */
    public record ForHost(String hostId, Function<ActorRef<StatusReply<HostSummary>>, HostCommand> command) {
    }

    /** The migration a record is about, with the command it means; empty for what no migration acts on. */
    public static Optional<ForMigration> migration(DroverRecord<?> record) {
        Object data = record.data();
        if (data instanceof CommandResult r) {
            return fromResult(r, record);
        }
        if (data instanceof MigrationSample s && MigrationRole.SOURCE.equals(s.role())) {
            return Optional.of(new ForMigration(s.migrationId(), re -> new MigrationCommand.Progress(s.info(), s.sampledAt(), re)));
        }
        if (data instanceof MigrationSample s && MigrationRole.DESTINATION.equals(s.role()) && s.info() != null
                && MigrationStatus.COMPLETED.equals(s.info().status())) {
            // The destination agent publishes its completed sample only once the guest runs there.
            return Optional.of(new ForMigration(s.migrationId(), MigrationCommand.DestinationConfirmed::new));
        }
        if (data instanceof MigrationOutcome o) {
            if (MigrationStatus.COMPLETED.equals(o.status())) {
                return Optional.of(new ForMigration(o.migrationId(), MigrationCommand.SourceCompleted::new));
            }
            String why = o.errorDesc() != null ? o.errorDesc() : "QEMU on the source reports " + o.status().raw();
            return Optional.of(new ForMigration(o.migrationId(), re -> new MigrationCommand.SourceFailed(why, re)));
        }
        return Optional.empty();
    }

    /** The host a registration or heartbeat is about, with its command. */
    public static Optional<ForHost> host(DroverRecord<?> record) {
        if (record.data() instanceof HostStatus s) {
            if (RecordTypes.HOST_REGISTERED.equals(record.type())) {
                return Optional.of(new ForHost(s.hostId(), re -> new HostCommand.Register(s, re)));
            }
            if (RecordTypes.HOST_HEARTBEAT.equals(record.type())) {
                return Optional.of(new ForHost(s.hostId(), re -> new HostCommand.Heartbeat(s, re)));
            }
        }
        return Optional.empty();
    }

    private static Optional<ForMigration> fromResult(CommandResult r, DroverRecord<?> record) {
        String id = r.commandId();
        if (!id.startsWith(PREFIX) || id.lastIndexOf('/') <= PREFIX.length()) {
            return Optional.empty(); // not a migration's command
        }
        String migrationId = id.substring(PREFIX.length(), id.lastIndexOf('/'));
        String step = id.substring(id.lastIndexOf('/') + 1);
        JsonNode data = r.data();
        if (step.equals("prepare-incoming")) {
            if (r.ok()) {
                String uri = data == null ? null : data.path("uri").asText(null);
                return Optional.of(new ForMigration(migrationId, re -> new MigrationCommand.DestinationPrepared(uri, re)));
            }
            return Optional.of(new ForMigration(migrationId, re -> new MigrationCommand.DestinationPrepareFailed(r.error(), re)));
        }
        if (step.equals("start-migration") || step.equals("destination-ready")) {
            if (r.ok()) {
                // Armed (start-migration without a uri) or noted (the destination's word before the arming): the
                // source has not migrated yet, and says so when it does.
                if (data != null && (data.path("armed").asBoolean(false) || data.path("noted").asBoolean(false))) {
                    return Optional.empty();
                }
                return Optional.of(new ForMigration(migrationId, MigrationCommand.MigrationStarted::new));
            }
            String why = step + " refused: " + r.error();
            return Optional.of(new ForMigration(migrationId, re -> new MigrationCommand.SourceFailed(why, re)));
        }
        if (step.startsWith("query-source-") && r.ok() && data != null && data.hasNonNull("queryMigrate")) {
            MigrationInfo info;
            try {
                info = Json.mapper().treeToValue(data.get("queryMigrate"), MigrationInfo.class);
            } catch (Exception e) {
                return Optional.empty();
            }
            return Optional.of(new ForMigration(migrationId, re -> new MigrationCommand.Progress(info, record.time(), re)));
        }
        if (step.startsWith("query-destination-") && r.ok() && data != null && data.hasNonNull("vmState")) {
            String vmState = data.path("vmState").asText();
            if (vmState.equals("running")) {
                return Optional.of(new ForMigration(migrationId, MigrationCommand.DestinationConfirmed::new));
            }
            return Optional.of(new ForMigration(migrationId, re -> new MigrationCommand.DestinationNotRunning(vmState, re)));
        }
        if (step.equals("resume-source")) {
            if (r.ok()) {
                return Optional.of(new ForMigration(migrationId, MigrationCommand.SourceResumed::new));
            }
            return Optional.of(new ForMigration(migrationId, re -> new MigrationCommand.SourceResumeFailed(r.error(), re)));
        }
        if (step.equals("retire-source") || step.equals("stop-destination")) {
            // The ended migration's clean-up: answered (done, or refused with a reason), so not to be sent again.
            return Optional.of(new ForMigration(migrationId, re -> new MigrationCommand.CleanUpAnswered(id, r.hostId(), r.ok(), r.error(), re)));
        }
        return Optional.empty(); // tunes, cancel: nothing the entity waits for
    }
}
