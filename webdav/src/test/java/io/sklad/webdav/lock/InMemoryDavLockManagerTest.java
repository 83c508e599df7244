package io.sklad.webdav.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class InMemoryDavLockManagerTest {

    private static final Path DIR = Path.of("/r/dir");
    private static final Path FILE = Path.of("/r/dir/file");

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2024-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MutableClock clock = new MutableClock();
    private final InMemoryDavLockManager locks = new InMemoryDavLockManager(clock);

    private static LockRequest req(boolean exclusive, boolean deep) {
        return new LockRequest(exclusive, deep, "", "alice", Duration.ofSeconds(60));
    }

    @Test
    void exclusiveConflictsWithAnythingSharedWithShared() throws Exception {
        DavLock s1 = locks.lock(FILE, req(false, false));
        DavLock s2 = locks.lock(FILE, req(false, false));
        assertThat(s1.token()).isNotEqualTo(s2.token()).startsWith("opaquelocktoken:");
        assertThatThrownBy(() -> locks.lock(FILE, req(true, false))).isInstanceOf(LockConflictException.class);
        locks.unlock(s1.token());
        locks.unlock(s2.token());
        locks.lock(FILE, req(true, false));
        assertThatThrownBy(() -> locks.lock(FILE, req(false, false))).isInstanceOf(LockConflictException.class);
    }

    @Test
    void deepLocksCoverDescendantsAndConflictBothWays() throws Exception {
        DavLock deep = locks.lock(DIR, req(true, true));
        assertThat(locks.covering(FILE)).containsExactly(deep);
        assertThat(locks.covering(Path.of("/r/other"))).isEmpty();
        assertThatThrownBy(() -> locks.lock(FILE, req(true, false))).isInstanceOf(LockConflictException.class);
        locks.unlock(deep.token());

        DavLock child = locks.lock(FILE, req(true, false));
        assertThatThrownBy(() -> locks.lock(DIR, req(true, true))).isInstanceOf(LockConflictException.class);
        // A depth-0 lock on the folder does not reach the child.
        locks.lock(DIR, req(true, false));
        assertThat(locks.within(DIR)).hasSize(2).contains(child);
        locks.removeWithin(DIR);
        assertThat(locks.within(DIR)).isEmpty();
    }

    @Test
    void locksExpireAndRefreshExtendsThem() throws Exception {
        DavLock l = locks.lock(FILE, req(true, false));
        clock.now = clock.now.plusSeconds(50);
        assertThat(locks.refresh(l.token(), Duration.ofSeconds(60))).isPresent();
        clock.now = clock.now.plusSeconds(50);
        assertThat(locks.find(l.token())).isPresent();
        clock.now = clock.now.plusSeconds(11);
        assertThat(locks.find(l.token())).isEmpty();
        assertThat(locks.refresh(l.token(), Duration.ofSeconds(60))).isEmpty();
        locks.lock(FILE, req(true, false));
    }
}
