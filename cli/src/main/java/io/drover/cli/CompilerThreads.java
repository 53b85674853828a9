package io.drover.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs this JVM's JIT compiler threads at the lowest CPU priority, nice {@value #NICE}, for the long-running commands
 * (agent, coordinator, the benches).
 *
 * <p>Why: HotSpot's compiler threads keep compiling for minutes after a service starts (its code runs a few times
 * per migration, so methods cross the compile thresholds one migration after another), and they ran at the same
 * priority as everything else. On a KVM host that CPU is the guests': {@code bench control-plane} measured the C2
 * compiler at 37 to 47% of the JVM's CPU during its timed runs, on the two cores both QEMUs and the migration's
 * latency-critical threads (QMP readers, Kafka clients, the journal) wanted at that moment. At nice 19 the
 * compiler gets a CPU only when nothing at nice 0 wants it (the scheduler gives a nice-19 thread about 1.5% of a
 * CPU next to a busy nice-0 one): compilation waits for idle time, and the code runs interpreted or at C1 meanwhile.
 * Compiler threads the JVM adds later are started by a compiler thread and inherit its nice value.
 *
 * <p>Why not a JVM flag: {@code -XX:CompilerThreadPriority} only acts with {@code -XX:ThreadPriorityPolicy=1},
 * which, run as root (as agents usually are), also raises the GC and VM threads to negative nice values, above the
 * guests' vCPUs; as any other user it prints a warning. Why {@code renice}: Java has no call for setpriority(2),
 * which on Linux sets the nice value of one thread when given its id, and util-linux's {@code renice} is on every
 * Linux host. {@code DROVER_JIT_NICE=off} leaves the threads as the JVM started them.
 */
final class CompilerThreads {
    private static final Logger log = LoggerFactory.getLogger(CompilerThreads.class);

    /** The lowest priority Linux has. */
    static final int NICE = 19;
    /** Set to {@code off} to keep the compiler threads at the JVM's priority. */
    static final String SWITCH = io.drover.coordinator.EnvVars.JIT_NICE;
    /** renice answers in milliseconds; a host where it hangs is not worth waiting on at start-up. */
    private static final long RENICE_TIMEOUT_MS = 5_000;
    /** HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1"...; Linux keeps 15 characters of a name. */
    private static final String NAME_PART = "CompilerThre";
    private static final Path TASKS = Path.of("/proc/self/task");

    private CompilerThreads() {
    }

    /** Lowers the compiler threads' priority unless {@link #SWITCH} says off; says on the log what it did. */
    static void lowerPriority() {
        if ("off".equalsIgnoreCase(String.valueOf(System.getenv(SWITCH)).trim())) {
            log.debug("{}=off: the JIT compiler threads keep their priority", SWITCH);
            return;
        }
        try {
            List<Long> tids = lower(NICE);
            log.debug("JIT compiler threads {} now at nice {}", tids, NICE);
        } catch (IOException | RuntimeException e) {
            log.warn("could not lower the priority of the JIT compiler threads (they run at the JVM's): {}", e.getMessage());
        }
    }

    /** Sets the compiler threads' nice value to {@code nice}; returns their thread ids. */
    static List<Long> lower(int nice) throws IOException {
        List<Long> tids = compilerThreads();
        if (tids.isEmpty()) {
            throw new IOException("no JIT compiler thread in " + TASKS);
        }
        List<String> command = new ArrayList<>(List.of("renice", "-n", Integer.toString(nice), "-p"));
        tids.forEach(t -> command.add(Long.toString(t)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(RENICE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("renice did not answer within " + RENICE_TIMEOUT_MS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for renice", e);
        }
        if (p.exitValue() != 0) {
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            throw new IOException("renice exited with " + p.exitValue() + ": " + said);
        }
        return tids;
    }

    /** The ids of this JVM's compiler threads, from their names under /proc/self/task. */
    static List<Long> compilerThreads() throws IOException {
        List<Long> tids = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).contains(NAME_PART)) {
                        tids.add(Long.parseLong(task.getFileName().toString()));
                    }
                } catch (NoSuchFileException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return tids;
    }

    /** A thread's nice value, field 19 of /proc/self/task/TID/stat (after the parenthesised name). */
    static int niceOf(long tid) throws IOException {
        String stat = Files.readString(TASKS.resolve(Long.toString(tid)).resolve("stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);
    }
}
