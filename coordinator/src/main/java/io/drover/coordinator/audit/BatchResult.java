package io.drover.coordinator.audit;

/**
 * What one poll of the audit log writer did.
 *
 * @param read     records consumed from Kafka
 * @param inserted records new to {@code audit_log}
 * @param rejected records that went to {@code audit_rejects} (poison, or refused by PostgreSQL)
 */
public record BatchResult(int read, int inserted, int rejected) {

    /** A poll that returned nothing. */
    public static final BatchResult EMPTY = new BatchResult(0, 0, 0);

    /** Records already in the log (a replay): read, but neither new nor rejected. */
    public int duplicates() {
        return read - inserted - rejected;
    }
}
