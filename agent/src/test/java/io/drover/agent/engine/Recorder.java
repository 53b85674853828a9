package io.drover.agent.engine;

import io.drover.agent.qmp.QmpEvent;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationOutcome;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records everything a migration reports, for assertions. */
final class Recorder implements MigrationListener {
    record SideEvent(Side side, QmpEvent event) {
        String brief() {
            return switch (event.name()) {
                case "MIGRATION" -> "MIGRATION " + event.data().path("status").asText();
                case "MIGRATION_PASS" -> "MIGRATION_PASS";
                default -> event.name();
            };
        }
    }

    final List<SideEvent> events = new CopyOnWriteArrayList<>();
    final List<MigrationInfo> samples = new CopyOnWriteArrayList<>();
    final List<Long> passes = new CopyOnWriteArrayList<>();
    final List<String> decisions = new CopyOnWriteArrayList<>();
    final List<MigrationPhase> phases = new CopyOnWriteArrayList<>();
    volatile boolean holdSwitchover;

    @Override public void onQmpEvent(Side side, QmpEvent event) { events.add(new SideEvent(side, event)); }
    @Override public void onSample(Side side, MigrationInfo info) { samples.add(info); }
    @Override public void onPass(long pass, MigrationInfo info) { passes.add(pass); }
    @Override public void onDecision(String decision, String reason) { decisions.add(decision + ": " + reason); }
    @Override public void onPhase(MigrationPhase from, MigrationPhase to) { phases.add(to); }
    @Override public boolean onPreSwitchover(MigrationRun run) { return !holdSwitchover; }
    @Override public void onOutcome(MigrationOutcome outcome) { }

    /** The events of one side, briefly ("MIGRATION active", "STOP", ...). */
    List<String> brief(Side side) {
        return events.stream().filter(e -> e.side() == side).map(SideEvent::brief).toList();
    }

    boolean decided(String prefix) {
        return decisions.stream().anyMatch(d -> d.startsWith(prefix));
    }
}
