package io.sklad.cli.command;

import io.sklad.cli.config.ClientOptions;
import io.sklad.cli.config.ClusterConnection;
import io.sklad.cli.io.ErrorReporter;
import io.sklad.vfs.fs.SkladFileSystem;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** Base of the commands that talk to a cluster: connects, runs, closes. */
abstract class ClientCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    final PrintStream out = System.out;

    @Override
    public final Integer call() throws Exception {
        try (SkladFileSystem fs = new ClusterConnection(client, System.getenv()).open()) {
            int rc = run(fs);
            out.flush();
            return rc;
        }
    }

    abstract int run(SkladFileSystem fs) throws Exception;

    /** A path in the cluster: "/VOLUME/path". Kept as given (no normalisation) so the master judges "..". */
    static Path remote(SkladFileSystem fs, String arg) {
        if (!arg.startsWith("/")) {
            throw new ErrorReporter.UsageException("'" + arg + "': paths in Sklad are absolute, /VOLUME/path");
        }
        return fs.getPath(arg);
    }
}
