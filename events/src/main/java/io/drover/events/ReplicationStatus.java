package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code ReplicationStatus} (QAPI, since 2.9): the result of {@code query-xen-replication-status}.
 *
 * @param error true if replication hit an error, false if it is normal (mandatory)
 * @param desc  human-readable error description, when {@code error} is true
 */
public record ReplicationStatus(
        @JsonProperty("error") boolean error,
        @JsonProperty("desc") String desc) {
}
