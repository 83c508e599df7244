package io.sklad.cli;

import io.sklad.cli.command.ClientCommands;
import io.sklad.cli.command.FrontendCommands;
import io.sklad.cli.command.MasterCommand;
import io.sklad.cli.command.UpCommand;
import io.sklad.cli.command.UserCommands;
import io.sklad.cli.command.NodeCommands;
import io.sklad.cli.command.WorkerCommand;
import io.sklad.cli.io.ErrorReporter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code sklad} command. */
@Command(name = "sklad",
        mixinStandardHelpOptions = true,
        versionProvider = SkladMain.Version.class,
        description = "Sklad: a distributed file store for backups, on the machines you already have.",
        subcommands = {
                UpCommand.class,
                MasterCommand.class,
                WorkerCommand.class,
                ClientCommands.Login.class,
                ClientCommands.Put.class,
                ClientCommands.Get.class,
                ClientCommands.Ls.class,
                ClientCommands.Mkdir.class,
                ClientCommands.Mv.class,
                ClientCommands.Rm.class,
                ClientCommands.Stat.class,
                ClientCommands.Versions.class,
                ClientCommands.Status.class,
                ClientCommands.VolumeCmd.class,
                UserCommands.class,
                NodeCommands.class,
                FrontendCommands.Mount.class,
                FrontendCommands.Webdav.class,
                FrontendCommands.Sftp.class,
                CommandLine.HelpCommand.class
        })
public final class SkladMain implements Runnable {

    private static final java.util.Set<String> SERVER_COMMANDS =
            java.util.Set.of("up", "master", "worker", "mount", "webdav", "sftp");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // Servers log what they do; one-shot client commands stay quiet unless something goes wrong.
        if (args.length > 0 && SERVER_COMMANDS.contains(args[0]) && System.getProperty("sklad.log.level") == null) {
            System.setProperty("sklad.log.level", "INFO");
        }
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (used by tests in-process too). */
    public static int execute(String... args) {
        CommandLine cmd = new CommandLine(new SkladMain());
        ErrorReporter reporter = new ErrorReporter(hasVerbose(args));
        cmd.setExecutionExceptionHandler(reporter);
        cmd.setParameterExceptionHandler(reporter::handleParameterError);
        try {
            java.util.Optional<java.nio.file.Path> config = io.sklad.cli.config.YamlDefaults.locate(System.getenv());
            if (config.isPresent()) {
                cmd.setDefaultValueProvider(io.sklad.cli.config.YamlDefaults.load(config.get()));
            }
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("sklad: cannot read the config file: " + io.sklad.cli.io.ErrorReporter.describe(e));
            return io.sklad.cli.io.ErrorReporter.USAGE;
        }
        return cmd.execute(args);
    }

    private static boolean hasVerbose(String[] args) {
        for (String a : args) {
            if (a.equals("--verbose") || a.equals("-v")) {
                return true;
            }
        }
        return System.getenv("SKLAD_VERBOSE") != null;
    }

    /** Version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SkladMain.class.getPackage().getImplementationVersion();
            return new String[] {"sklad " + (v == null ? "0.1.0-dev" : v)};
        }
    }
}
