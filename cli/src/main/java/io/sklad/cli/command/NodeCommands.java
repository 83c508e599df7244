package io.sklad.cli.command;

import io.sklad.cli.config.Durations;
import io.sklad.cli.io.Units;
import io.sklad.vfs.client.AdminClient;
import io.sklad.vfs.client.NodeReport;
import io.sklad.vfs.client.VolumeInfo;
import io.sklad.vfs.client.WorkerNode;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sklad node ls|drain|remove} (admin only): the workers as the master knows them, and taking one out
 * without ever dropping below a volume's replication factor. {@link Retention} is {@code sklad volume retention}.
 */
@Command(name = "node", mixinStandardHelpOptions = true, description = "List, drain and remove workers.",
        subcommands = {NodeCommands.Ls.class, NodeCommands.Drain.class, NodeCommands.Remove.class})
public final class NodeCommands implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "List workers: state, space, blocks, and blocks that would drop below R without them.")
    static final class Ls extends AdminCommand {
        @Override
        void run(AdminClient a) throws Exception {
            System.out.printf(Locale.ROOT, "%-36s %-22s %-9s %10s %10s %9s %9s  %s%n", "NODE", "ADDRESS", "STATE",
                    "USED", "FREE", "BLOCKS", "ONLY_HERE", "LABELS");
            for (NodeReport r : a.listNodes()) {
                WorkerNode n = r.node();
                System.out.printf(Locale.ROOT, "%-36s %-22s %-9s %10s %10s %9d %9d  %s%n", n.nodeId(), n.address(),
                        StatusFormat.state(n) + (n.readOnly() ? "(ro)" : ""), Units.bytes(n.usedBytes()),
                        Units.bytes(n.freeBytes()), r.blocks(), r.blocksOnlyHere(), StatusFormat.labels(n.labels()));
            }
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = "Take a worker out of placement; repair copies its blocks elsewhere (see 'sklad status').")
    static final class Drain extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NODE_ID")
        String nodeId;

        @picocli.CommandLine.Option(names = "--cancel", description = "Stop draining: the worker takes new blocks again.")
        boolean cancel;

        @Override
        void run(AdminClient a) throws Exception {
            NodeReport r = a.drainNode(nodeId, cancel);
            if (cancel) {
                System.out.println("node " + nodeId + " takes new blocks again");
            } else {
                System.out.println("node " + nodeId + " is draining: " + r.blocksOnlyHere()
                        + " blocks still need copies elsewhere before 'sklad node remove " + nodeId + "'");
            }
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Forget a worker; refused while any block it holds would drop below its replication factor. "
                    + "Stop the worker first, or it registers again.")
    static final class Remove extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NODE_ID")
        String nodeId;

        @Override
        void run(AdminClient a) throws Exception {
            a.removeNode(nodeId);
            System.out.println("node " + nodeId + " removed");
        }
    }

    /** {@code sklad volume retention VOLUME DURATION}: how long deleted files and old versions are kept. */
    @Command(name = "retention", mixinStandardHelpOptions = true,
            description = "Keep a volume's history (deleted files, replaced versions) for DURATION (e.g. 30d; 0 = forever); "
                    + "older history is purged and its blocks garbage-collected.")
    public static final class Retention extends AdminCommand {
        @Parameters(index = "0", paramLabel = "VOLUME")
        String volume;

        @Parameters(index = "1", paramLabel = "DURATION")
        String duration;

        @Override
        void run(AdminClient a) throws Exception {
            Duration d = duration.equals("0") ? Duration.ZERO : Durations.parse(duration);
            VolumeInfo v = a.setVolumeRetention(volume, d);
            System.out.println("volume " + v.name() + " keeps history " + (d.isZero() ? "forever" : "for " + duration));
        }
    }
}
