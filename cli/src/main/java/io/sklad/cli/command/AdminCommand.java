package io.sklad.cli.command;

import io.sklad.cli.config.ClientOptions;
import io.sklad.cli.config.ClusterConnection;
import io.sklad.vfs.client.AdminClient;
import io.sklad.vfs.client.GrpcAdminClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** Base of the admin commands ({@code sklad user}, {@code sklad node}, ...): an admin client on the cluster of the profile. */
abstract class AdminCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public final Integer call() throws Exception {
        ClusterConnection conn = new ClusterConnection(client, System.getenv());
        try (AdminClient admin = new GrpcAdminClient(conn.masterAddress(), Duration.ofSeconds(30), conn.token())) {
            run(admin);
        }
        System.out.flush();
        return 0;
    }

    abstract void run(AdminClient admin) throws Exception;
}
