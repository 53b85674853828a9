package io.drover.agent.engine;

/** Where the engine persists a migration's phase before each irreversible step. */
@FunctionalInterface
public interface PhaseStore {
    void save(String migrationId, MigrationPhase phase);

    PhaseStore NONE = (id, phase) -> { };
}
