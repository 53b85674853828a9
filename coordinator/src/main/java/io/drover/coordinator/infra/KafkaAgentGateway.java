package io.drover.coordinator.infra;

import io.drover.coordinator.migration.AgentGateway;
import io.drover.events.AgentCommand;
import io.drover.events.CoordinatorDecision;
import io.drover.events.DroverRecord;
import io.drover.events.DroverRecordSerializer;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;

/**
 * Sends agent commands as Drover records on {@link Topics#AGENT_COMMANDS}, keyed by the target host id.
 * Fire-and-forget: a command lost here is re-sent, under the same id, by the entity's next recovery.
 */
public final class KafkaAgentGateway implements AgentGateway, AutoCloseable {
    /** The {@code source} of the coordinator's records. */
    public static final String SOURCE = "drover://coordinator";
    private static final Logger log = LoggerFactory.getLogger(KafkaAgentGateway.class);

    private final KafkaProducer<String, DroverRecord<?>> producer;
    private final Clock clock;

    public KafkaAgentGateway(String bootstrapServers, Clock clock) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                // At once, not after Kafka 4's default 5 ms: an agent waits on each command, and commands are few.
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.CLIENT_ID_CONFIG, "drover-coordinator"),
                new StringSerializer(), new DroverRecordSerializer());
        this.clock = clock;
    }

    @Override
    public void send(AgentCommand command) {
        log.info("sending {} {} to host {}", command.command(), command.commandId(), command.hostId());
        DroverRecord<AgentCommand> r = DroverRecord.create(RecordTypes.AGENT_COMMAND, SOURCE, command.vmId(), clock.instant(), command);
        producer.send(new ProducerRecord<>(Topics.AGENT_COMMANDS, command.hostId(), r), (md, e) -> {
            if (e != null) {
                log.warn("command {} to host {} not sent: {}", command.commandId(), command.hostId(), e.toString());
            }
        });
    }

    /** How long a decision waits for Kafka's acknowledgement before the projection gives up and retries it. */
    static final java.time.Duration PUBLISH_TIMEOUT = java.time.Duration.ofSeconds(30);

    @Override
    public void publish(DroverRecord<CoordinatorDecision> decision) {
        try {
            producer.send(new ProducerRecord<>(Topics.COORDINATOR_DECISIONS, decision.key(), decision))
                    .get(PUBLISH_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Kafka did not take decision " + decision.data().event() + " #"
                    + decision.data().sequenceNr() + " of migration " + decision.data().migrationId() + ": " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge decision " + decision.data().event() + " #"
                    + decision.data().sequenceNr() + " of migration " + decision.data().migrationId() + " within "
                    + PUBLISH_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing a decision of migration " + decision.data().migrationId(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
