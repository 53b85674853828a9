package io.drover.coordinator.migration;

/** The phase of one migration, as persisted in every event's old and new phase. */
public enum Phase {
    NEW, PREPARING, PREPARED, MIGRATING, POSTCOPY, CANCELLING, CONFIRMING, RESUMING_SOURCE, COMPLETED, FAILED, CANCELLED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
