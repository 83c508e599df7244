package io.sklad.webdav.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every DAV lock holds exactly one backend lock for its life; a backend refusal grants nothing. */
class BackedDavLockManagerTest {

    private static final Path FILE = Path.of("/r/dir/file");
    private static final Path DIR = Path.of("/r/dir");

    /** Records what the manager does with the file system's locks. */
    private static final class RecordingBackend implements FileLockBackend {
        final List<String> events = new ArrayList<>();
        IOException refuse;
        IOException renewFails;

        @Override
        public Held acquire(Path resource, boolean exclusive, Duration timeout) throws IOException {
            if (refuse != null) {
                throw refuse;
            }
            String name = resource + (exclusive ? " x " : " s ") + timeout.toSeconds();
            events.add("acquire " + name);
            return new Held() {
                @Override
                public void renew(Duration t) throws IOException {
                    if (renewFails != null) {
                        throw renewFails;
                    }
                    events.add("renew " + resource + " " + t.toSeconds());
                }

                @Override
                public void release() {
                    events.add("release " + resource);
                }
            };
        }
    }

    private static LockRequest req(boolean exclusive, boolean deep, long seconds) {
        return new LockRequest(exclusive, deep, "", "alice", Duration.ofSeconds(seconds));
    }

    @Test
    void lockRefreshUnlockHoldAndReleaseTheBackendLock() throws Exception {
        RecordingBackend backend = new RecordingBackend();
        BackedDavLockManager locks = new BackedDavLockManager(backend);
        DavLock lock = locks.lock(FILE, req(true, false, 300));
        assertThat(locks.refresh(lock.token(), Duration.ofSeconds(600))).isPresent();
        assertThat(locks.unlock(lock.token())).isTrue();
        assertThat(locks.unlock(lock.token())).isFalse();
        assertThat(backend.events).containsExactly("acquire /r/dir/file x 300", "renew /r/dir/file 600",
                "release /r/dir/file");
    }

    @Test
    void aDavConflictNeverReachesTheBackendAndABackendRefusalGrantsNothing() throws Exception {
        RecordingBackend backend = new RecordingBackend();
        BackedDavLockManager locks = new BackedDavLockManager(backend);
        DavLock held = locks.lock(DIR, req(true, true, 60));
        assertThatThrownBy(() -> locks.lock(FILE, req(false, false, 60))).isInstanceOf(LockConflictException.class);
        assertThat(backend.events).containsExactly("acquire /r/dir x 60");
        locks.removeWithin(DIR);
        assertThat(backend.events).endsWith("release /r/dir");
        assertThat(locks.find(held.token())).isEmpty();

        backend.refuse = new FileSystemException("/r/dir/file", null, "Busy: /r/dir/file is being written by another client");
        assertThatThrownBy(() -> locks.lock(FILE, req(true, false, 60))).isSameAs(backend.refuse);
        assertThat(locks.covering(FILE)).as("no DAV lock left behind").isEmpty();
        backend.refuse = null;
        assertThat(locks.lock(FILE, req(true, false, 60))).isNotNull();
    }

    @Test
    void aLockWhoseBackendLockWasLostCannotBeRefreshed() throws Exception {
        RecordingBackend backend = new RecordingBackend();
        BackedDavLockManager locks = new BackedDavLockManager(backend);
        DavLock lock = locks.lock(FILE, req(true, false, 60));
        backend.renewFails = new NoSuchFileException("lease", null, "no such lock");
        assertThat(locks.refresh(lock.token(), Duration.ofSeconds(60))).isEmpty();
        assertThat(locks.find(lock.token())).isEmpty();
        assertThat(backend.events).endsWith("release /r/dir/file");
    }
}
