package io.drover.agent.kafka;

import io.drover.events.MigrationPolicy;
import io.drover.agent.guest.DirtyGuestSpec;
import io.drover.agent.local.LocalMigration;
import io.drover.agent.qemu.Accel;
import io.drover.broker.EmbeddedKafka;
import io.drover.events.DroverRecord;
import io.drover.events.DroverRecordDeserializer;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationSample;
import io.drover.events.MigrationStatus;
import io.drover.events.QmpEventData;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every QMP event of a real migration reaches a real Kafka broker, in order per VM, none lost. */
class AgentPublisherTest {
    @TempDir Path tmp;

    @Test
    void everyQmpEventReachesKafkaInOrderWithNoneLost() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
             AgentPublisher pub = new AgentPublisher(kafka.bootstrapServers(), "host-a");
             LocalMigration m = LocalMigration.prepare(tmp.resolve("vm"), "vm-kafka", 128, 1,
                     DirtyGuestSpec.forRate(16L << 20, 128L << 20),
                     MigrationPolicy.builder().maxBandwidth(64L << 20).sampleInterval(Duration.ofMillis(100)).build(), Accel.detect())) {
            // What QMP delivered, per instance, in delivery order.
            Map<String, List<Long>> delivered = new ConcurrentHashMap<>();
            m.forEachEvent((instance, e) -> delivered.computeIfAbsent(instance, k -> new CopyOnWriteArrayList<>()).add(e.sequence()));
            pub.attach("vm-kafka", "source", m.sourceEndpoint().qmp());
            pub.attach("vm-kafka", "destination", m.destinationEndpoint().qmp());
            MigrationOutcome o = m.start(pub.forMigration("vm-kafka", m.state().migrationId())).await(Duration.ofMinutes(2));
            assertEquals(MigrationStatus.COMPLETED, o.status(), o.toString());
            Thread.sleep(500); // events QEMU sends after the verdict (none are expected, but count them if any)
            pub.flush();
            assertEquals(pub.sent(), pub.acknowledged(), "every record acknowledged");
            assertEquals(0, pub.failed());

            List<DroverRecord<?>> records = consumeAll(kafka.bootstrapServers(), pub.sent());
            Map<String, List<Long>> published = new ConcurrentHashMap<>();
            int samples = 0, outcomes = 0;
            for (DroverRecord<?> r : records) {
                assertEquals("vm-kafka", r.subject());
                assertEquals("drover://host/host-a", r.source());
                if (RecordTypes.isQmp(r.type())) {
                    QmpEventData d = (QmpEventData) r.data();
                    assertEquals(RecordTypes.qmp(d.eventName()), r.type());
                    published.computeIfAbsent(d.instance(), k -> new ArrayList<>()).add(d.sequence());
                } else if (r.data() instanceof MigrationSample) {
                    samples++;
                } else if (r.data() instanceof MigrationOutcome out) {
                    outcomes++;
                    assertEquals(o, out);
                }
            }
            assertFalse(delivered.get("source").isEmpty());
            assertEquals(delivered.get("source"), published.get("source"), "source events: same, in the same order");
            assertEquals(delivered.get("destination"), published.get("destination"), "destination events: same, in the same order");
            assertTrue(samples > 0, "query-migrate samples were published");
            assertEquals(1, outcomes, "one outcome");
        }
    }

    static List<DroverRecord<?>> consumeAll(String bootstrap, long expected) {
        List<DroverRecord<?>> out = new ArrayList<>();
        try (KafkaConsumer<String, DroverRecord<?>> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new DroverRecordDeserializer())) {
            c.subscribe(List.of(Topics.AGENT_EVENTS));
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (out.size() < expected && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, DroverRecord<?>> r : c.poll(Duration.ofMillis(200))) {
                    assertEquals(r.value().subject(), r.key(), "keyed by VM id");
                    out.add(r.value());
                }
            }
            // Nothing beyond what was sent.
            for (ConsumerRecord<String, DroverRecord<?>> r : c.poll(Duration.ofMillis(500))) out.add(r.value());
        }
        assertEquals(expected, out.size(), "records on the topic");
        return out;
    }
}
