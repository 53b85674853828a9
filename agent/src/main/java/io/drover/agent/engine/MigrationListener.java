package io.drover.agent.engine;

import io.drover.agent.qmp.QmpEvent;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationOutcome;

/** What a running migration tells the outside world. Every method has a no-op default. */
public interface MigrationListener {

    /** Every QMP event from either end while the engine follows the migration. */
    default void onQmpEvent(Side side, QmpEvent event) {
    }

    /** A {@code query-migrate} sample. */
    default void onSample(Side side, MigrationInfo info) {
    }

    /** A new pass started ({@code MIGRATION_PASS}); {@code info} was sampled right after it. */
    default void onPass(long pass, MigrationInfo info) {
    }

    /** The engine decided something (switch to post-copy, cancel, continue...), with the reason in words. */
    default void onDecision(String decision, String reason) {
    }

    /** The phase changed; called after the phase was persisted. */
    default void onPhase(MigrationPhase from, MigrationPhase to) {
    }

    /**
     * The source paused in {@code pre-switchover}. Return true to continue at once, false to hold
     * until {@link MigrationRun#continueSwitchover()} is called.
     */
    default boolean onPreSwitchover(MigrationRun run) {
        return true;
    }

    default void onOutcome(MigrationOutcome outcome) {
    }

    /** Fans one callback out to several listeners. */
    static MigrationListener all(MigrationListener... listeners) {
        return new MigrationListener() {
            @Override public void onQmpEvent(Side side, QmpEvent event) { for (var l : listeners) l.onQmpEvent(side, event); }
            @Override public void onSample(Side side, MigrationInfo info) { for (var l : listeners) l.onSample(side, info); }
            @Override public void onPass(long pass, MigrationInfo info) { for (var l : listeners) l.onPass(pass, info); }
            @Override public void onDecision(String decision, String reason) { for (var l : listeners) l.onDecision(decision, reason); }
            @Override public void onPhase(MigrationPhase from, MigrationPhase to) { for (var l : listeners) l.onPhase(from, to); }
            @Override public boolean onPreSwitchover(MigrationRun run) {
                boolean go = true;
                for (var l : listeners) go &= l.onPreSwitchover(run);
                return go;
            }
            @Override public void onOutcome(MigrationOutcome outcome) { for (var l : listeners) l.onOutcome(outcome); }
        };
    }
}
