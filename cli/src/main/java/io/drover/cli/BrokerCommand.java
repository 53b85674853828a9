package io.drover.cli;

import io.drover.broker.BrokerMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Runs the embedded Kafka broker as a process of its own (the demo's broker). */
@Command(name = "kafka", mixinStandardHelpOptions = true, description = "Run a single-node Kafka (KRaft) broker until stopped.")
final class BrokerCommand implements Runnable {
    @Option(names = "--data-dir", required = true, description = "Broker data directory.")
    Path dataDir;

    @Option(names = "--port", defaultValue = "9092", description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public void run() {
        BrokerMain.main(new String[]{"--data-dir", dataDir.toString(), "--port", Integer.toString(port)});
    }
}
