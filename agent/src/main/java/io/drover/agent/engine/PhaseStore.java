package io.drover.agent.engine;

/** Where the engine persists a migration's phase before each irreversible step. */
@FunctionalInterface
public interface PhaseStore {
    void save(String migrationId, MigrationPhase phase);

    /** An armed run learned the uri it migrates to: saved with the next phase (MIGRATING, before {@code migrate}). */
    default void uri(String uri) {
    }

    PhaseStore NONE = (id, phase) -> { };
}
