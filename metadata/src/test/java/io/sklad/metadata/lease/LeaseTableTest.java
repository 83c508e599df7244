package io.sklad.metadata.lease;

import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class LeaseTableTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        long millis = 1_000_000;

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    final ManualClock clock = new ManualClock();
    final LeaseTable table = new LeaseTable(clock);
    static final Duration TTL = Duration.ofSeconds(10);

    private Lease take(long inode, LeaseMode mode, String holder) {
        return table.acquire("v", inode, "/f" + inode, mode, holder, "u-" + holder, TTL);
    }

    private static MetaError codeOf(Runnable r) {
        MetadataException e = catchThrowableOfType(MetadataException.class, r::run);
        return e == null ? null : e.code();
    }

    @Test
    void modesExcludeOtherHoldersAsDocumented() {
        LeaseMode[] modes = LeaseMode.values();
        boolean[][] compatible = {
                // EXCLUSIVE, SHARED_READ, WRITE_SHARED_READ held by "a"; rows: what "b" asks
                {false, false, false},
                {false, true, true},
                {false, true, false}};
        long inode = 100;
        for (int held = 0; held < modes.length; held++) {
            for (int asked = 0; asked < modes.length; asked++) {
                inode++;
                take(inode, modes[held], "a");
                long i = inode;
                LeaseMode m = modes[asked];
                // the same holder never conflicts with itself
                assertThat(codeOf(() -> take(i, m, "a"))).isNull();
                LeaseMode first = modes[held];
                table.leasesOn("v", i).stream().filter(l -> l.mode() != first).findFirst()
                        .ifPresent(l -> table.release(l.id(), "u-a", false));
                MetaError code = codeOf(() -> take(i, m, "b"));
                assertThat(code).as("%s held, %s asked", modes[held], m)
                        .isEqualTo(compatible[asked][held] ? null : MetaError.CONFLICT);
            }
        }
    }

    @Test
    void conflictNamesTheHolder() {
        take(1, LeaseMode.WRITE_SHARED_READ, "agent-1");
        MetadataException e = catchThrowableOfType(MetadataException.class,
                () -> take(1, LeaseMode.WRITE_SHARED_READ, "agent-2"));
        assertThat(e.code()).isEqualTo(MetaError.CONFLICT);
        assertThat(e.getMessage()).contains("agent-1").contains("u-agent-1").contains("/f1");
        // other files are independent
        take(2, LeaseMode.EXCLUSIVE, "agent-2");
    }

    @Test
    void expiryRenewAndRelease() {
        Lease a = take(1, LeaseMode.EXCLUSIVE, "a");
        assertThat(a.expiresAtMillis()).isEqualTo(clock.millis + 10_000);
        clock.millis += 8_000;
        Lease renewed = table.renew(a.id(), "u-a", null);
        assertThat(renewed.expiresAtMillis()).isEqualTo(clock.millis + 10_000);
        clock.millis += 8_000; // 16 s after acquiring: alive only thanks to the renewal
        assertThat(codeOf(() -> take(1, LeaseMode.SHARED_READ, "b"))).isEqualTo(MetaError.CONFLICT);
        assertThat(codeOf(() -> table.renew(a.id(), "someone-else", null))).isEqualTo(MetaError.NOT_FOUND);
        clock.millis += 2_001;
        assertThat(table.leasesOn("v", 1)).isEmpty();
        assertThat(codeOf(() -> table.renew(a.id(), "u-a", null))).isEqualTo(MetaError.NOT_FOUND);
        Lease b = take(1, LeaseMode.EXCLUSIVE, "b");
        assertThat(table.release(b.id(), "intruder", false)).isFalse();
        assertThat(table.leasesOn("v", 1)).containsExactly(b);
        assertThat(table.release(b.id(), "u-b", false)).isTrue();
        assertThat(table.release(b.id(), "u-b", false)).isFalse();
        take(1, LeaseMode.EXCLUSIVE, "c");
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void commitsOfOtherHoldersAreRefusedUnderWriteLeases() {
        take(1, LeaseMode.WRITE_SHARED_READ, "w");
        table.checkCommit("v", 1, "/f1", "w");
        assertThatThrownBy(() -> table.checkCommit("v", 1, "/f1", "other"))
                .isInstanceOf(MetadataException.class).hasMessageContaining("w");
        assertThat(codeOf(() -> table.checkCommit("v", 1, "/f1", null))).isEqualTo(MetaError.CONFLICT);
        // a shared reader does not stop commits
        take(2, LeaseMode.SHARED_READ, "r");
        table.checkCommit("v", 2, "/f2", null);
        clock.millis += 10_001;
        table.checkCommit("v", 1, "/f1", "other");
    }

    @Test
    void ttlsAreClampedAndHoldersChecked() {
        assertThat(LeaseTable.ttlMillis(null)).isEqualTo(60_000);
        assertThat(LeaseTable.ttlMillis(Duration.ofMillis(5))).isEqualTo(1_000);
        assertThat(LeaseTable.ttlMillis(Duration.ofHours(5))).isEqualTo(600_000);
        for (String bad : new String[] {null, "", "has space", "x".repeat(129), "nul\0"}) {
            assertThat(codeOf(() -> LeaseTable.checkHolder(bad))).as(bad).isEqualTo(MetaError.INVALID_ARGUMENT);
        }
    }

    @Test
    void expiredLeasesAreSwept() {
        for (int i = 0; i < 100; i++) {
            take(i, LeaseMode.EXCLUSIVE, "h" + i);
        }
        clock.millis += 60_000;
        take(1000, LeaseMode.EXCLUSIVE, "fresh");
        assertThat(table.size()).isEqualTo(1);
    }
}
