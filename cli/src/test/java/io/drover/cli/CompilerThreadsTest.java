package io.drover.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class CompilerThreadsTest {

    @Test
    void theCompilerThreadsRunAtTheLowestPriorityAfterwards() throws Exception {
        long self = Long.parseLong(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self"))
                .getFileName().toString());
        int before = CompilerThreads.niceOf(self);
        List<Long> tids = CompilerThreads.compilerThreads();
        assertFalse(tids.isEmpty(), "HotSpot runs at least one compiler thread");

        assertEquals(tids, CompilerThreads.lower(CompilerThreads.NICE));

        for (long tid : tids) {
            assertEquals(CompilerThreads.NICE, CompilerThreads.niceOf(tid), "nice value of compiler thread " + tid);
        }
        // Only those: this thread keeps the priority it had.
        assertEquals(before, CompilerThreads.niceOf(self));
    }
}
