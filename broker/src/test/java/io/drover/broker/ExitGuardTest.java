package io.drover.broker;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.Test;

class ExitGuardTest {

    @Test
    void haltAndExitThrowInsteadOfEndingTheJvmWhileHeld() {
        ExitGuard.acquire();
        try {
            ExitGuard.KafkaExitException halt =
                    assertThrows(ExitGuard.KafkaExitException.class, () -> Exit.halt(1, "fatal fault"));
            assertTrue(halt.getMessage().contains("halt(1): fatal fault"), halt.getMessage());
            assertThrows(ExitGuard.KafkaExitException.class, () -> Exit.exit(1));
        } finally {
            ExitGuard.release();
        }
    }

    @Test
    void nestedHoldersKeepTheGuardUntilTheLastRelease() {
        ExitGuard.acquire();
        ExitGuard.acquire();
        ExitGuard.release();
        try {
            assertThrows(ExitGuard.KafkaExitException.class, () -> Exit.halt(1));
        } finally {
            ExitGuard.release();
        }
    }
}
