package io.drover.agent.engine;

/** Which end of a migration. */
public enum Side {
    SOURCE, DESTINATION;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
