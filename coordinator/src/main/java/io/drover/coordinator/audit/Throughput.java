package io.drover.coordinator.audit;

import org.slf4j.Logger;

import java.time.Duration;

/** Counts what the audit log writer did and logs it, with the rate, at most once per interval. */
final class Throughput {
    private static final double NANOS_PER_SECOND = 1e9;

    private final Logger log;
    private final long intervalNanos;
    private long windowStart = System.nanoTime();
    private long read;
    private long inserted;
    private long rejected;

    Throughput(Logger log, Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
    }

    /** Adds one batch, and logs the counts since the last line if the interval has passed. */
    void add(BatchResult batch) {
        read += batch.read();
        inserted += batch.inserted();
        rejected += batch.rejected();
        long now = System.nanoTime();
        long elapsed = now - windowStart;
        if (elapsed < intervalNanos) {
            return;
        }
        if (read > 0) {
            double seconds = elapsed / NANOS_PER_SECOND;
            log.info("audit log: {} records in {} s ({} records/s): {} new, {} duplicates, {} rejected",
                    read, String.format("%.0f", seconds), String.format("%.1f", read / seconds), inserted,
                    read - inserted - rejected, rejected);
        }
        windowStart = now;
        read = 0;
        inserted = 0;
        rejected = 0;
    }
}
