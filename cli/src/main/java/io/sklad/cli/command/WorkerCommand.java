package io.sklad.cli.command;

import io.sklad.chunkstore.MaintenanceConfig;
import io.sklad.chunkstore.WorkerConfig;
import io.sklad.chunkstore.WorkerServer;
import io.sklad.chunkstore.store.LocalDiskBlockStore;
import io.sklad.cli.config.Durations;
import io.sklad.cli.config.HostPort;
import io.sklad.cli.io.Units;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sklad worker}: runs a worker that keeps blocks on its disk; {@code sklad worker ls} lists them. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run a worker that keeps blocks on this machine's disk.",
        subcommands = WorkerCommand.Ls.class)
public final class WorkerCommand implements Callable<Integer> {

    // not "required": picocli would then demand it of 'worker ls' too, which has its own --data
    @Option(names = "--data", description = "Directory for this worker's blocks (required).")
    Path data;

    @Option(names = "--master", defaultValue = "${env:SKLAD_MASTER:-127.0.0.1:7700}", description = "Master HOST:PORT (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--listen", defaultValue = "127.0.0.1:7710", description = "HOST:PORT to serve blocks on (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--advertise", description = "Host name other machines reach this worker by (default: the --listen host).")
    String advertise;

    @Option(names = "--label", split = ",", description = "Failure-domain label KEY=VALUE, e.g. site=office1 (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--join-token-file", description = "File with the cluster join token (the master writes DATA/join.token). Or set SKLAD_JOIN_TOKEN.")
    Path joinTokenFile;

    @Option(names = "--capacity", description = "Most bytes to use for blocks, e.g. 500GiB (default: what the disk has).")
    String capacity;

    @Option(names = "--heartbeat", defaultValue = "3s", description = "Heartbeat interval (default: ${DEFAULT-VALUE}).")
    String heartbeat;

    @Option(names = "--scrub-period", description = "Time between the starts of two full scrub passes, e.g. 7d (default: a week; 0 = no scrubbing).")
    String scrubPeriod;

    @Option(names = "--scrub-rate", description = "Bytes per second the scrubber re-reads, e.g. 20MiB (default: 20MiB).")
    String scrubRate;

    @Option(names = "--compaction-interval", description = "Time between two compaction runs (default: 1h; 0 = none).")
    String compactionInterval;

    @Option(names = "--block-report-interval", description = "Time between two full block reports to the master (default: 1h).")
    String blockReportInterval;

    @Option(names = "--volume-file-size", description = "Size past which a new volume file is started, e.g. 1GiB (default); only full volume files are compacted.")
    String volumeFileSize;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (data == null) {
            throw new io.sklad.cli.io.ErrorReporter.UsageException("missing required option '--data=<data>'");
        }
        HostPort hp = HostPort.parse(listen);
        HostPort.parse(master);
        WorkerConfig config = new WorkerConfig(data, hp.host(), hp.port(), advertise, master, readJoinToken(),
                Map.copyOf(labels), capacity == null ? 0 : Units.parseSize(capacity), Durations.parse(heartbeat));
        WorkerServer worker = new WorkerServer(config, maintenance());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> MasterCommand.closeQuietly(worker), "sklad-worker-shutdown"));
        worker.start();
        System.out.println("sklad worker " + worker.nodeId() + " serving blocks on " + worker.address()
                + ", data " + data.toAbsolutePath() + ", master " + master);
        System.out.flush();
        Waiting.untilShutdown();
        return 0;
    }

    private MaintenanceConfig maintenance() {
        MaintenanceConfig m = MaintenanceConfig.defaults();
        if (scrubPeriod != null || scrubRate != null) {
            m = m.withScrub(scrubRate == null ? 0 : Units.parseSize(scrubRate),
                    scrubPeriod == null ? null : zeroOr(scrubPeriod));
        }
        if (compactionInterval != null) {
            m = m.withCompaction(m.compactionThreshold(), zeroOr(compactionInterval), m.compactionBytesPerSecond());
        }
        if (volumeFileSize != null) {
            m = m.withVolumeFileBytes(Units.parseSize(volumeFileSize));
        }
        if (blockReportInterval != null) {
            m = m.withBlockReportInterval(Durations.parse(blockReportInterval));
        }
        return m;
    }

    private static java.time.Duration zeroOr(String d) {
        return d.equals("0") ? java.time.Duration.ZERO : Durations.parse(d);
    }

    private String readJoinToken() throws Exception {
        if (joinTokenFile != null) {
            if (!Files.exists(joinTokenFile)) {
                throw new NoSuchFileException(joinTokenFile.toString(), null, "join token file not found");
            }
            return Files.readString(joinTokenFile, StandardCharsets.UTF_8).trim();
        }
        String env = System.getenv("SKLAD_JOIN_TOKEN");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        throw new IllegalArgumentException("no join token: pass --join-token-file MASTER_DATA/join.token or set SKLAD_JOIN_TOKEN");
    }

    /** {@code sklad worker ls --data DIR}: the block ids a worker holds, read from its own files. */
    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "List the block ids a worker holds (64 hex digits a line), read from its own files; safe while it runs.")
    static final class Ls implements Callable<Integer> {

        @Option(names = "--data", required = true, description = "The worker's data directory.")
        Path data;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(data)) {
                throw new NoSuchFileException(data.toString(), null, "not a worker data directory");
            }
            StringBuilder out = new StringBuilder();
            for (String id : LocalDiskBlockStore.listBlockIds(data)) {
                out.append(id).append('\n');
                if (out.length() > 1 << 16) {
                    System.out.print(out);
                    out.setLength(0);
                }
            }
            System.out.print(out);
            System.out.flush();
            return 0;
        }
    }
}
