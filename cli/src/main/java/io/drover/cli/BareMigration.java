package io.drover.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.qemu.QemuLauncher;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.qemu.Role;
import io.drover.agent.qemu.VmSpec;
import io.drover.agent.qmp.QmpClient;
import io.drover.agent.qmp.QmpEndpoint;
import io.drover.agent.qmp.QmpEvent;
import io.drover.agent.qmp.QmpEventQueue;

import java.time.Duration;
import java.time.Instant;

/**
 * The baseline for the benchmark: the least QMP a person would type to migrate, with no engine,
 * no sampling and no publishing. Capabilities events and return-path on both ends,
 * migrate-incoming, migrate, wait for the source's completed event, then for the destination to run.
 */
final class BareMigration {
    /** An idle test VM migrates in about a second on loopback; a minute means something broke. */
    static final Duration LIMIT = Duration.ofMinutes(1);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private BareMigration() {
    }

    /** Long enough for a QEMU that has just started to open its monitor, even on a loaded machine. */
    static final Duration QMP_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** A bare migration to a new destination QEMU, which now runs the guest and is the caller's to stop. */
    /** @param qemuTotal the migration's own total time as the source QEMU reports it (query-migrate's total-time), -1 if none */
    record Moved(Duration destinationStart, Duration total, QemuProcess destination, QmpClient destinationQmp, long qemuTotal) {
    }

    /**
     * What a person does to migrate to a host with no QEMU waiting: start the destination QEMU with
     * {@code -incoming defer} (the same launcher the agent uses), connect to its monitor, then {@link #run}. Timed from
     * the destination's start. The destination is kept: the guest moves on from it next time, as a VM that the agents
     * migrate back and forth does (a guest that has run and moved for a while, not a fresh one).
     */
    static Moved moveToNewDestination(QmpClient src, QemuLauncher launcher, VmSpec spec, String instanceName, String uri)
            throws InterruptedException {
        Instant start = Instant.now();
        QemuProcess dst = launcher.start(spec, Role.DESTINATION, instanceName);
        QmpClient dstQmp = null;
        try {
            dstQmp = QmpClient.connect(new QmpEndpoint.Unix(dst.qmpSocket()), QMP_CONNECT_TIMEOUT);
            Duration started = Duration.between(start, Instant.now());
            run(src, dstQmp, uri);
            Duration total = Duration.between(start, Instant.now());
            long qemuTotal = src.execute("query-migrate").path("total-time").asLong(-1); // not timed
            return new Moved(started, total, dst, dstQmp, qemuTotal);
        } catch (RuntimeException | InterruptedException e) {
            if (dstQmp != null) dstQmp.close();
            dst.kill();
            throw e;
        }
    }

    /** Migrates and returns the elapsed time, or throws naming the status it ended in. */
    static Duration run(QmpClient src, QmpClient dst, String uri) throws InterruptedException {
        ObjectNode caps = JSON.objectNode();
        caps.putArray("capabilities")
                .add(JSON.objectNode().put("capability", "events").put("state", true))
                .add(JSON.objectNode().put("capability", "return-path").put("state", true));
        try (QmpEventQueue srcEvents = src.events(e -> e.name().equals("MIGRATION"));
             QmpEventQueue dstEvents = dst.events(e -> e.name().equals("RESUME"))) {
            Instant start = Instant.now();
            dst.execute("migrate-set-capabilities", caps);
            dst.execute("migrate-incoming", JSON.objectNode().put("uri", uri));
            src.execute("migrate-set-capabilities", caps);
            src.execute("migrate", JSON.objectNode().put("uri", uri));
            Instant deadline = start.plus(LIMIT);
            String status = "";
            while (!status.equals("completed")) {
                QmpEvent e = srcEvents.poll(Duration.between(Instant.now(), deadline));
                if (e == null) throw new IllegalStateException("bare migration did not complete within " + LIMIT);
                status = e.data().path("status").asText();
                if (status.equals("failed") || status.equals("cancelled")) {
                    throw new IllegalStateException("bare migration ended " + status);
                }
            }
            if (dstEvents.poll(Duration.between(Instant.now(), deadline)) == null) {
                throw new IllegalStateException("destination did not resume within " + LIMIT);
            }
            return Duration.between(start, Instant.now());
        }
    }
}
