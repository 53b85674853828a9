package io.drover.cli;

import picocli.CommandLine.Command;

/** {@code drover bench ...}: benchmarks that compare Drover with a baseline in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: each prints Drover's figures beside a baseline measured in the same run.",
        subcommands = {BenchLocalMigrateCommand.class, BenchControlPlaneCommand.class})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
