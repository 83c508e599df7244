package io.sklad.metadata.repair;

import io.sklad.metadata.HealingConfig;
import io.sklad.metadata.node.NodeCommand;
import io.sklad.metadata.node.QueuedNodeCommands;
import io.sklad.metadata.store.BlockId;
import io.sklad.metadata.store.CommitRequest;
import io.sklad.metadata.store.CommittedBlock;
import io.sklad.metadata.store.Database;
import io.sklad.metadata.store.EntryInfo;
import io.sklad.metadata.store.JdbcMetadataStore;
import io.sklad.metadata.store.NewAttributes;
import io.sklad.metadata.store.NodeStats;
import io.sklad.metadata.store.Principal;
import io.sklad.metadata.store.StorePolicy;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real H2 store (in memory) with a clock the test moves, nodes that "heartbeat" when told to, and helpers
 * to commit files whose blocks sit on chosen nodes. Shared by the repair and GC tests.
 */
public final class HealingFixture implements AutoCloseable {
    public static final Principal ADMIN = new Principal("admin", true);
    public static final Duration SUSPECT = Duration.ofSeconds(10);
    public static final Duration DEAD = Duration.ofSeconds(60);
    public static final long BLOCK = 65_536;

    public final TestClock clock = new TestClock();
    public final JdbcMetadataStore store;
    public final QueuedNodeCommands queue = new QueuedNodeCommands();
    private int files;

    public HealingFixture() {
        store = new JdbcMetadataStore(Database.open("jdbc:h2:mem:heal-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"),
                new StorePolicy(SUSPECT, DEAD, 2), clock);
    }

    public static HealingConfig config() {
        return HealingConfig.defaults().withGc(Duration.ofSeconds(30), Duration.ofSeconds(1));
    }

    /** A node with site label {@code site}, 1 TiB free, {@code used} bytes used. */
    public void node(String id, String site, long used) {
        store.registerNode(id, "127.0.0.1:" + (9000 + Math.abs(id.hashCode() % 1000)), Map.of("site", site),
                new NodeStats(1L << 41, used, 1L << 40, 0, false));
    }

    public void node(String id, String site) {
        node(id, site, 0);
    }

    /** Heartbeats from these nodes, keeping their stats. */
    public void beat(String... ids) {
        for (String id : ids) {
            var n = store.nodes().stream().filter(x -> x.nodeId().equals(id)).findFirst().orElseThrow();
            store.heartbeat(id, n.stats());
        }
    }

    public void readOnly(String id) {
        store.heartbeat(id, new NodeStats(1L << 41, 1L << 41, 0, 0, true));
    }

    public void volume(String name, int replicas) {
        store.createVolume(ADMIN, name, replicas, 0);
    }

    public static BlockId id(String seed) {
        try {
            return new BlockId(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(seed.getBytes())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Commits a new one-block file at /f{n} holding {@code block} acknowledged by {@code nodes}. */
    public EntryInfo file(String volume, BlockId block, String... nodes) {
        EntryInfo e = store.createFile(ADMIN, volume, "/f" + (files++), NewAttributes.defaults(), true).entry();
        return store.commitVersion(ADMIN, new CommitRequest(volume, e.inode(), e.version(), BLOCK,
                List.of(new CommittedBlock(0, block, BLOCK, List.of(nodes))), null));
    }

    /** The commands the node would get with its next heartbeat. */
    public List<NodeCommand> commands(String node) {
        return new ArrayList<>(queue.drain(node));
    }

    @Override
    public void close() {
        store.close();
    }

    /** A clock that moves only when told. */
    public static final class TestClock extends Clock {
        private volatile long millis = 1_700_000_000_000L;

        public void advance(Duration d) {
            millis += d.toMillis();
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
