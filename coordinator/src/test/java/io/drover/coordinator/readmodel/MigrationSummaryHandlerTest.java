package io.drover.coordinator.readmodel;

import io.drover.coordinator.migration.MigrationEvent.*;
import io.drover.coordinator.migration.Phase;
import io.drover.coordinator.policy.ConvergenceLadder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What each event changes in its row, as MigrationState's summaries would show it. */
class MigrationSummaryHandlerTest {
    static final Instant T = Instant.parse("2026-11-21T20:00:00Z");

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void eachEventSetsThePhaseAndWhatItChanges() {
        assertEquals(row("phase", "PREPARED", "uri", "tcp:h:1"),
                MigrationSummaryHandler.changes(new DestinationPrepared("m", T, Phase.PREPARING, Phase.PREPARED, null, "tcp:h:1")));
        assertEquals(row("phase", "MIGRATING", "uri", "tcp:h:1", "downtime_limit_ms", 30L),
                MigrationSummaryHandler.changes(new MigrateIssued("m", T, Phase.PREPARED, Phase.MIGRATING, "c", "tcp:h:1", 30)));
        assertEquals(row("phase", "MIGRATING"),
                MigrationSummaryHandler.changes(new SourceStarted("m", T, Phase.MIGRATING, Phase.MIGRATING)));
        assertEquals(row("phase", "POSTCOPY", "pass", 7L),
                MigrationSummaryHandler.changes(new ProgressRecorded("m", T, Phase.POSTCOPY, Phase.POSTCOPY, T, "postcopy-active",
                        6, 7, 10L, 20L, 30L, 40L, null, true)));
        assertEquals(row("phase", "MIGRATING", "downtime_limit_ms", 60L),
                MigrationSummaryHandler.changes(new ConvergenceDecisionTaken("m", T, Phase.MIGRATING, Phase.MIGRATING,
                        ConvergenceLadder.Kind.RAISE_DOWNTIME_LIMIT, "slow", 3, 30, 60, "c")));
        assertEquals(row("phase", "POSTCOPY", "reason", "stalled"),
                MigrationSummaryHandler.changes(new PostcopySwitchRequested("m", T, Phase.MIGRATING, Phase.POSTCOPY, "stalled", "c")));
        assertEquals(row("phase", "CANCELLING", "reason", "asked"),
                MigrationSummaryHandler.changes(new CancellationRequested("m", T, Phase.MIGRATING, Phase.CANCELLING, "asked", "c")));
        // Confirming and completed migrations show no reason, whatever post-copy or cancel came before.
        assertEquals(row("phase", "CONFIRMING", "reason", null),
                MigrationSummaryHandler.changes(new SwitchoverCompleted("m", T, Phase.POSTCOPY, Phase.CONFIRMING)));
        assertEquals(row("phase", "COMPLETED", "reason", null),
                MigrationSummaryHandler.changes(new MigrationCompleted("m", T, Phase.CONFIRMING, Phase.COMPLETED, "c")));
        assertEquals(row("phase", "FAILED", "reason", "gone"),
                MigrationSummaryHandler.changes(new MigrationFailed("m", T, Phase.MIGRATING, Phase.FAILED, "gone")));
        assertEquals(row("phase", "CANCELLED", "reason", "asked"),
                MigrationSummaryHandler.changes(new MigrationCancelled("m", T, Phase.CANCELLING, Phase.CANCELLED, "asked")));
        assertEquals(row("phase", "CONFIRMING", "reason", "late"),
                MigrationSummaryHandler.changes(new ConfirmationOverdue("m", T, Phase.CONFIRMING, Phase.CONFIRMING, "late")));
        assertEquals(row("phase", "RESUMING_SOURCE", "reason", "lost"),
                MigrationSummaryHandler.changes(new DestinationLost("m", T, Phase.CONFIRMING, Phase.RESUMING_SOURCE, "lost",
                        "stopped", "c1", "c2")));
    }
}
