package io.drover.agent.engine;

import io.drover.events.MigrationPolicy;
import java.util.Objects;

/**
 * One migration to run: ids, both ends, the URI the destination listens on, and the policy.
 *
 * @param destination the destination QEMU when this process drives both ends; null for a
 *                    source-side run ({@link #sourceOnly}), where another agent prepared the
 *                    destination ({@link MigrationRun#prepareIncoming}) and the outcome is the source's verdict
 * @param accel "kvm" or "tcg", carried into the outcome
 */
public record MigrationRequest(String migrationId, String vmId, Endpoint source, Endpoint destination,
                               String uri, MigrationPolicy policy, String accel) {
    public MigrationRequest {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(source, "source");
        if (uri != null || destination != null) {
            MigrationUri.validate(uri); // only a source-side run may be armed, without a uri yet
        }
        policy = Objects.requireNonNull(policy, "policy").validated();
    }

    /** The same request with the uri the destination listens on, for an armed run ({@link #armed()}). */
    public MigrationRequest withUri(String destinationUri) {
        return new MigrationRequest(migrationId, vmId, source, destination, MigrationUri.validate(destinationUri), policy, accel);
    }

    /** Whether this source-side run was started without a uri: it configures and waits for the destination's. */
    public boolean armed() {
        return uri == null;
    }

    /** A source-side run: only the source is driven and followed; the destination listens on {@code uri} elsewhere. */
    public static MigrationRequest sourceOnly(String migrationId, String vmId, Endpoint source, String uri,
                                              MigrationPolicy policy, String accel) {
        return new MigrationRequest(migrationId, vmId, source, null, uri, policy, accel);
    }

    /** True when this process drives the destination too. */
    public boolean hasDestination() {
        return destination != null;
    }
}
