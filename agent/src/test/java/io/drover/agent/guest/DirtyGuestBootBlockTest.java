package io.drover.agent.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The committed {@code DirtyGuestBootBlock.java} is what {@code regenerate.sh} makes of {@code dirty-guest.S}. */
class DirtyGuestBootBlockTest {

    /** The agent module's directory: Maven runs tests there and says so in "basedir". */
    private static final Path MODULE_DIR = Path.of(System.getProperty("basedir", "")).toAbsolutePath();

    private static final Path SCRIPT = MODULE_DIR.resolve("src/main/guest/regenerate.sh");
    private static final Path COMMITTED = MODULE_DIR.resolve("src/main/java/io/drover/agent/guest/DirtyGuestBootBlock.java");

    @Test
    @Timeout(60)
    void committedBytesMatchTheAssemblySource(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(onPath("as"), "GNU as is not on the PATH: cannot re-assemble dirty-guest.S");
        Path regenerated = dir.resolve("DirtyGuestBootBlock.java");

        Process script = new ProcessBuilder("sh", SCRIPT.toString(), regenerated.toString())
                .redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, script.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, script.exitValue(), "regenerate.sh failed: " + output);

        assertEquals(Files.readString(COMMITTED), Files.readString(regenerated),
                "DirtyGuestBootBlock.java is stale: run agent/src/main/guest/regenerate.sh and commit the result");
    }

    private static boolean onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, program)));
    }
}
