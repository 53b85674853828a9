package io.drover.cli;

import picocli.CommandLine.Option;

/** How many timed migrations a benchmark runs each way, after how many uncounted warm-up ones. */
final class BenchOptions {
    @Option(names = "--runs", defaultValue = "5", description = "Migrations each way (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "1", description = "Migrations each way run first and not counted, so that both ways are timed with a warm JIT (default: ${DEFAULT-VALUE}).")
    int warmup;

    /** Throws an IllegalArgumentException (exit 2) naming the flag when a count is out of range. */
    void validate() {
        if (runs < 1 || runs > 1000) {
            throw new IllegalArgumentException("--runs must be between 1 and 1000, got " + runs);
        }
        if (warmup < 0 || warmup > 100) {
            throw new IllegalArgumentException("--warmup must be between 0 and 100, got " + warmup);
        }
    }

    /** The run directory name for run i (warm-up runs are numbered 0, -1, ...). */
    static String runName(String prefix, int i) {
        return prefix + (i < 1 ? "warmup" + (1 - i) : i);
    }
}
