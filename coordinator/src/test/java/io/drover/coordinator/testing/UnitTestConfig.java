package io.drover.coordinator.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** A local (non-cluster) system with the in-memory journal and snapshot store, on top of application.conf. */
public final class UnitTestConfig {
    private UnitTestConfig() {
    }

    public static Config config() {
        return ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING")
                .withFallback(EventSourcedBehaviorTestKit.config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(ConfigFactory.load());
    }
}
