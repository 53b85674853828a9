package io.drover.coordinator.infra;

/**
 * Marker for every message, event and state the coordinator persists or sends between nodes: bound in
 * {@code application.conf} to Pekko's {@code jackson-cbor} serializer.
 */
public interface CborSerializable {
}
