package io.drover.agent.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The bits of Linux's {@code /proc/PID/stat} that tell whether a process still runs.
 *
 * @param pid the process id
 * @param state the state letter: R, S, D, ... Z for a zombie, X for dead
 * @param startTime when the process started, in clock ticks since boot: with the pid, it
 *        identifies a process even after its pid is reused
 */
record ProcStat(long pid, char state, long startTime) {

    /** Index of starttime (field 22 of proc(5)) among the fields after the ")" that closes comm (field 2). */
    private static final int START_TIME_INDEX = 22 - 3;

    /** Reads the stat of {@code pid}; empty if there is no such process. */
    static Optional<ProcStat> read(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // The process vanished while we read it (ESRCH) or /proc is unreadable: treat it as gone.
            return Optional.empty();
        }
        // comm (field 2) may hold spaces and parentheses: the fields we need follow its last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Optional.of(new ProcStat(pid, fields[0].charAt(0), Long.parseLong(fields[START_TIME_INDEX])));
    }

    /** True for a zombie or dead process: it has exited, whether or not its parent has reaped it. */
    boolean hasExited() {
        return state == 'Z' || state == 'X';
    }
}
