package io.drover.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * Formats a KRaft log directory, the programmatic equivalent of {@code kafka-storage.sh format}.
 * A KRaft node refuses to start on an unformatted directory.
 */
final class StorageFormat {

    private StorageFormat() {
    }

    /**
     * Formats {@code logDir} for a new single-node cluster, unless it is formatted already: a
     * restarted broker must keep its cluster id, its metadata and its records.
     */
    static void formatIfNeeded(Path logDir) {
        if (Files.exists(logDir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
            return;
        }
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new BrokerStartException("cannot create Kafka data directory " + logDir, e);
        }
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(BrokerSettings.NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(BrokerSettings.CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .addDirectory(logDir.toString())
                    .run();
        } catch (Exception e) {
            throw new BrokerStartException("cannot format Kafka data directory " + logDir, e);
        }
    }
}
