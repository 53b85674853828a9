package io.drover.agent.local;

import io.drover.agent.engine.MigrationListener;
import io.drover.events.MigrationPolicy;
import io.drover.agent.guest.DirtyGuestSpec;
import io.drover.agent.qemu.Accel;
import io.drover.events.MigrationInfo;

import java.nio.file.Path;

/**
 * An agent process for {@link AgentRestartTest}: prepares a migration in the given directory,
 * starts it, prints "PASS n" per pass, and runs until it is killed.
 */
public final class AgentChild {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long mib = 1 << 20;
        LocalMigration m = LocalMigration.prepare(dir, "vm-restart", 128, 1, DirtyGuestSpec.forRate(16 * mib, 128 * mib),
                MigrationPolicy.builder().maxBandwidth(24 * mib).build(), Accel.detect());
        m.start(new MigrationListener() {
            @Override
            public void onPass(long pass, MigrationInfo info) {
                System.out.println("PASS " + pass);
                System.out.flush();
            }
        });
        Thread.sleep(Long.MAX_VALUE);
    }
}
