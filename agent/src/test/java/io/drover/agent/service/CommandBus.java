package io.drover.agent.service;

import io.drover.events.AgentCommand;
import io.drover.events.CommandResult;
import io.drover.events.DroverRecord;
import io.drover.events.DroverRecordDeserializer;
import io.drover.events.Json;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/** The coordinator's side of the command protocol, for tests: sends commands, reads results and host records. */
final class CommandBus implements AutoCloseable {
    /** Agents start QEMU and learn its dialect before answering; generous for a loaded 2-core host. */
    static final Duration RESULT_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaProducer<String, byte[]> producer;
    private final String bootstrap;
    private final Map<String, KafkaConsumer<String, DroverRecord<?>>> readers = new java.util.HashMap<>();
    private final Map<String, List<DroverRecord<?>>> seen = new java.util.HashMap<>();

    CommandBus(String bootstrap) {
        this.bootstrap = bootstrap;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends a command as the coordinator does: a Drover record keyed by the host id. */
    void send(AgentCommand c) throws Exception {
        DroverRecord<AgentCommand> r = DroverRecord.create(RecordTypes.AGENT_COMMAND, "drover://coordinator", c.vmId(),
                Instant.now(), c);
        sendRaw(c.hostId(), Json.mapper().writeValueAsBytes(r));
    }

    void sendRaw(String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.AGENT_COMMANDS, key, value)).get();
    }

    /** Waits for the {@code n}-th result (1-based) of a command id. */
    CommandResult result(String commandId, int n) {
        return (CommandResult) await(Topics.AGENT_RESULTS, r -> r.data() instanceof CommandResult cr
                && cr.commandId().equals(commandId), n).data();
    }

    CommandResult result(String commandId) {
        return result(commandId, 1);
    }

    /** Waits for the {@code n}-th record of a topic that matches. */
    DroverRecord<?> await(String topic, Predicate<DroverRecord<?>> match, int n) {
        Instant deadline = Instant.now().plus(RESULT_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            List<DroverRecord<?>> hits = all(topic).stream().filter(match).toList();
            if (hits.size() >= n) return hits.get(n - 1);
            poll(topic);
        }
        List<DroverRecord<?>> seen = all(topic);
        fail("no record #" + n + " matching on " + topic + " within " + RESULT_TIMEOUT + "; " + seen.size()
                + " records, the last ones: " + seen.subList(Math.max(0, seen.size() - 3), seen.size()));
        return null;
    }

    /** Every record of a topic read so far (after one more poll). */
    List<DroverRecord<?>> all(String topic) {
        return seen.computeIfAbsent(topic, t -> new ArrayList<>());
    }

    void poll(String topic) {
        KafkaConsumer<String, DroverRecord<?>> c = readers.computeIfAbsent(topic, t -> {
            KafkaConsumer<String, DroverRecord<?>> k = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                    new StringDeserializer(), new DroverRecordDeserializer());
            List<TopicPartition> tps = k.partitionsFor(t, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(t, p.partition())).toList();
            if (tps.isEmpty()) { // not created yet: ask again on the next poll
                k.close();
                return null;
            }
            k.assign(tps);
            k.seekToBeginning(tps);
            return k;
        });
        if (c == null) {
            sleep();
            return;
        }
        for (ConsumerRecord<String, DroverRecord<?>> r : c.poll(Duration.ofMillis(100))) {
            all(topic).add(r.value());
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        producer.close();
        readers.values().forEach(KafkaConsumer::close);
    }
}
