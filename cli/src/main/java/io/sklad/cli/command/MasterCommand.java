package io.sklad.cli.command;

import io.sklad.cli.config.Durations;
import io.sklad.cli.config.HostPort;
import io.sklad.cli.io.Units;
import io.sklad.metadata.AdminBootstrap;
import io.sklad.metadata.HealingConfig;
import io.sklad.metadata.MasterConfig;
import io.sklad.metadata.MasterServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sklad master}: runs the master (namespace, volumes, users, node registry) in the foreground. */
@Command(name = "master", mixinStandardHelpOptions = true,
        description = "Run the master: namespace, volumes, users and the node registry.")
public final class MasterCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "Directory for the master's metadata.")
    Path data;

    @Option(names = "--listen", defaultValue = "127.0.0.1:7700", description = "HOST:PORT to serve gRPC on (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--suspect-after", defaultValue = "30s", description = "Silence after which a worker is skipped for new writes (default: ${DEFAULT-VALUE}).")
    String suspectAfter;

    @Option(names = "--dead-after", defaultValue = "10m", description = "Silence after which a worker's copies count as lost (default: ${DEFAULT-VALUE}).")
    String deadAfter;

    @Option(names = "--repair-interval", defaultValue = "2s", description = "Time between two repair passes (default: ${DEFAULT-VALUE}).")
    String repairInterval;

    @Option(names = "--repair-tasks-per-node", defaultValue = "4", description = "Repair copy tasks a worker sends or receives at once (default: ${DEFAULT-VALUE}).")
    int repairTasks;

    @Option(names = "--repair-task-blocks", defaultValue = "256", description = "Blocks per repair copy task: one stream and one fsync on the target (default: ${DEFAULT-VALUE}).")
    int repairTaskBlocks;

    @Option(names = "--repair-rate", defaultValue = "64MiB", description = "Repair bytes per second a worker is ordered to send or receive (default: ${DEFAULT-VALUE}).")
    String repairRate;

    @Option(names = "--gc-grace", defaultValue = "1h", description = "How long a block stays unreferenced before it is deleted (default: ${DEFAULT-VALUE}).")
    String gcGrace;

    @Option(names = "--gc-interval", defaultValue = "1m", description = "Time between two garbage-collection passes (default: ${DEFAULT-VALUE}).")
    String gcInterval;

    @Option(names = "--token-ttl", defaultValue = "30d", description = "Lifetime of login tokens, and the longest a client may ask for (default: ${DEFAULT-VALUE}).")
    String tokenTtl;

    @Option(names = "--jdbc-url", description = "Metadata database (default: embedded H2 under --data).")
    String jdbcUrl;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        HostPort hp = HostPort.parse(listen);
        MasterConfig defaults = MasterConfig.defaults(data);
        MasterConfig config = new MasterConfig(data, hp.host(), hp.port(), jdbcUrl,
                Durations.parse(suspectAfter), Durations.parse(deadAfter), defaults.writeQuorum(), Durations.parse(tokenTtl),
                HealingConfig.defaults()
                        .withRepair(Durations.parse(repairInterval), repairTasks, Units.parseSize(repairRate))
                        .withBlocksPerTask(repairTaskBlocks)
                        .withGc(Durations.parse(gcGrace), Durations.parse(gcInterval)));
        MasterServer master = new MasterServer(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(master), "sklad-master-shutdown"));
        master.start();
        AdminBootstrap admin = master.ensureAdmin(System.getenv("SKLAD_ADMIN_PASSWORD"));
        System.out.println("sklad master listening on " + new HostPort(hp.host(), master.port()));
        System.out.println("  metadata:   " + data.toAbsolutePath());
        System.out.println("  join token: " + data.toAbsolutePath().resolve("join.token")
                + " (give it to workers with --join-token-file)");
        if (admin.created() && admin.password() != null && System.getenv("SKLAD_ADMIN_PASSWORD") == null) {
            System.out.println("  created user 'admin' with password: " + admin.password() + "  (shown once)");
        }
        System.out.flush();
        Waiting.untilShutdown();
        return 0;
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(MasterCommand.class).warn("shutdown: {}", e.toString());
        }
    }
}
