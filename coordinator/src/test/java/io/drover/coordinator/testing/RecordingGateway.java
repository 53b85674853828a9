package io.drover.coordinator.testing;

import io.drover.coordinator.migration.AgentGateway;
import io.drover.events.AgentCommand;
import io.drover.events.CoordinatorDecision;
import io.drover.events.DroverRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;

/**
 * Records every command sent, and how many events were in the journal at that moment (to check that the
 * phase was persisted before the step was sent).
 */
public final class RecordingGateway implements AgentGateway {
    public record Sent(AgentCommand command, int journalSize) {
    }

    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private volatile IntSupplier journalSize = () -> -1;

    public void journalSize(IntSupplier s) {
        journalSize = s;
    }

    @Override
    public void send(AgentCommand command) {
        sent.add(new Sent(command, journalSize.getAsInt()));
    }

    private final List<DroverRecord<CoordinatorDecision>> decisions = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();

    /** The next {@code n} decisions are refused, as by a Kafka that is away. */
    public void refuseDecisions(int n) {
        refusals.set(n);
    }

    @Override
    public void publish(DroverRecord<CoordinatorDecision> decision) {
        if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("Kafka did not take decision " + decision.data().event() + " (refused by the test)");
        }
        decisions.add(decision);
    }

    /** Every decision published, in order. */
    public List<DroverRecord<CoordinatorDecision>> decisions() {
        return List.copyOf(decisions);
    }

    public List<Sent> sent() {
        return List.copyOf(sent);
    }

    /** The commands sent since the last call, and forgets them. */
    public List<AgentCommand> take() {
        List<AgentCommand> out = new ArrayList<>();
        for (Sent s : sent) {
            out.add(s.command());
        }
        sent.clear();
        return out;
    }
}
