package io.drover.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The demo's child processes: each runs this same distribution ({@code java -cp <this JVM's class path>
 * io.drover.cli.Drover <subcommand> ...}) with its output in a log file of its own, and is stopped with
 * SIGTERM, then SIGKILL after a grace period. Descendants (the agents' QEMUs) are remembered as they appear,
 * so that they can be stopped even after their agent is gone.
 */
final class DemoProcesses {
    /** One child: its name (as in error messages), process and log file. */
    record Child(String name, Process process, Path log) {
        boolean alive() {
            return process.isAlive();
        }

        /** The last {@code n} lines of its log, indented, for error messages. */
        String tail(int n) {
            return DemoProcesses.tail(log, n);
        }

        /** Why it is not usable: it exited, with its status and the tail of its log. */
        String died() {
            return name + " exited with status " + process.exitValue() + "; the end of its log (" + log + "):\n" + tail(25);
        }
    }

    private final List<Child> children = Collections.synchronizedList(new ArrayList<>());
    private final Set<ProcessHandle> descendants = Collections.synchronizedSet(new LinkedHashSet<>());

    /** Starts {@code drover <args>} as a child with {@code -Xmx<heap>}, its stdout and stderr in {@code log}. */
    Child start(String name, String heap, Path log, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("-Xmx" + heap);
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Drover.class.getName());
        cmd.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "# " + String.join(" ", args) + "\n", StandardCharsets.UTF_8);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            Child c = new Child(name, pb.start(), log);
            children.add(c);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** Remembers every live descendant of the children (the QEMUs the agents started). */
    void noteDescendants() {
        synchronized (children) {
            for (Child c : children) {
                c.process.descendants().forEach(descendants::add);
            }
        }
    }

    /** SIGTERM, then SIGKILL after {@code graceMs}; returns whether it had to be killed. */
    static boolean stop(ProcessHandle p, long graceMs) {
        if (!p.isAlive()) {
            return false;
        }
        p.destroy();
        try {
            p.onExit().get(graceMs, TimeUnit.MILLISECONDS);
            return false;
        } catch (Exception e) {
            p.destroyForcibly();
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // nothing more to do
            }
            return true;
        }
    }

    /** Stops a child (SIGTERM, then SIGKILL after {@code graceMs}). */
    void stop(Child c, long graceMs) {
        noteDescendants();
        stop(c.process.toHandle(), graceMs);
    }

    /** Stops every remembered descendant still alive (QEMUs); returns how many were running. */
    int stopDescendants(long graceMs) {
        List<ProcessHandle> live;
        synchronized (descendants) {
            live = descendants.stream().filter(ProcessHandle::isAlive).toList();
        }
        live.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : live) {
            stop(p, graceMs);
        }
        return live.size();
    }

    static String tail(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> last = lines.subList(Math.max(0, lines.size() - n), lines.size());
            StringBuilder b = new StringBuilder();
            for (String l : last) {
                b.append("    | ").append(l).append('\n');
            }
            return b.toString().stripTrailing();
        } catch (IOException | UncheckedIOException e) {
            return "    (cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
