package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * QEMU's {@code MigrationCapabilityStatus} (QAPI, since 1.2): one element of
 * {@code query-migrate-capabilities} and of {@code migrate-set-capabilities}' {@code capabilities}.
 * Both members are mandatory.
 *
 * @param capability the capability (possibly one this Drover does not know)
 * @param state      whether it is enabled
 */
public record MigrationCapabilityStatus(
        @JsonProperty("capability") MigrationCapability capability,
        @JsonProperty("state") boolean state) {

    public MigrationCapabilityStatus {
        Objects.requireNonNull(capability, "capability");
    }
}
