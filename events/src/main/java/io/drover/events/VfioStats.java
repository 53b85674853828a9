package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code VfioStats} (QAPI, since 5.2): the {@code vfio} member of {@code query-migrate}, present
 * when every VFIO device supports migration.
 *
 * @param transferred bytes transferred by VFIO devices
 */
public record VfioStats(@JsonProperty("transferred") Long transferred) {
}
