package io.drover.cli;

import io.drover.agent.kafka.AgentPublisher;
import io.drover.broker.EmbeddedKafka;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where the agent publishes: an existing Kafka, a broker started in-process, or nowhere. */
final class KafkaOptions {
    @Option(names = "--kafka", paramLabel = "BOOTSTRAP", description = "Publish to this Kafka (host:port). Default: start a broker in-process.")
    String bootstrap;

    @Option(names = "--no-kafka", description = "Publish nothing.")
    boolean noKafka;

    @Option(names = "--host-id", paramLabel = "ID", description = "This agent's host id in published records (default: the host name).")
    String hostId;

    Session open(Path workDir) {
        if (noKafka && bootstrap != null) {
            throw new IllegalArgumentException("--kafka and --no-kafka contradict each other");
        }
        if (noKafka) {
            return new Session(null, null, null);
        }
        EmbeddedKafka broker = bootstrap == null ? EmbeddedKafka.start(workDir.toAbsolutePath().resolve("kafka")) : null;
        String servers = broker != null ? broker.bootstrapServers() : bootstrap;
        try {
            return new Session(broker, servers, new AgentPublisher(servers, hostId == null ? AgentPublisher.defaultHostId() : hostId));
        } catch (RuntimeException e) {
            if (broker != null) broker.close();
            throw e;
        }
    }

    /** The open publisher (null with --no-kafka) and the broker this command started, if any. */
    record Session(EmbeddedKafka broker, String bootstrap, AgentPublisher publisher) implements AutoCloseable {
        @Override
        public void close() {
            if (publisher != null) publisher.close();
            if (broker != null) broker.close();
        }
    }
}
