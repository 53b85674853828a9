package io.drover.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code drover} command. Exit codes: 0 success, 1 the job failed, 2 bad usage. */
@Command(name = "drover", mixinStandardHelpOptions = true, version = "drover 0.1.0",
        description = "Event-sourced live-migration coordinator for QEMU/KVM fleets.",
        subcommands = {DemoCommand.class, LocalMigrateCommand.class, BenchCommand.class, BrokerCommand.class, AuditCommand.class, AgentCommandLine.class, QmpCommand.class,
                CoordinatorCommandLine.class, ApiCommands.Hosts.class, ApiCommands.Vms.class, ApiCommands.Migrate.class,
                ApiCommands.Cancel.class, ApiCommands.Show.class, CommandLine.HelpCommand.class})
public final class Drover implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Drover's conventions: usage errors exit 2 and name what is wrong. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Drover());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ApiClient.ApiError a) {
                cmd.getErr().println("drover: " + a.describe());
                return a.exitCode();
            }
            if (ex instanceof IllegalArgumentException) {
                cmd.getErr().println("drover: " + ex.getMessage());
                return 2;
            }
            // A QMP error or a feature the QEMU lacks says what went wrong in its message.
            boolean explained = ex instanceof io.drover.agent.qmp.QmpException
                    || ex instanceof io.drover.agent.dialect.UnsupportedFeatureException;
            cmd.getErr().println("drover: " + (explained && ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            return 1;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("drover: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        return cl;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
