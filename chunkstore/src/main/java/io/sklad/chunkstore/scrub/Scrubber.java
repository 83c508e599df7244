package io.sklad.chunkstore.scrub;

import io.sklad.chunkstore.store.LocalDiskBlockStore;
import io.sklad.chunkstore.store.Pacer;
import io.sklad.chunkstore.store.StoredBlock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-verifies every block a worker holds, volume by volume in disk order, on a background thread
 * paced to a byte rate, starting a full pass every {@code period} (at once when a pass took longer).
 * A bad, cut-short or unreadable block is dropped from the store's index and reported in the
 * next heartbeat, through the store's corrupt-block list; every other block keeps serving.
 *
 * <p>It holds no store-wide lock: each block is read like any other read, so puts and gets are never
 * held up for longer than one positional read. The end of the last full pass is kept in a small
 * state file so that a restart does not start the next pass early. Thread-safe.
 */
public final class Scrubber implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Scrubber.class);

    /** Default pace: a 200 GB worker is checked in about three hours. */
    public static final long DEFAULT_BYTES_PER_SECOND = 20L << 20;
    /** Default time between the starts of two full passes. */
    public static final Duration DEFAULT_PERIOD = Duration.ofDays(7);
    /** A worker without a state file waits at most this long before its first pass (startup stays quick). */
    private static final Duration FIRST_PASS_DELAY = Duration.ofMinutes(1);

    private final LocalDiskBlockStore store;
    private final Duration period;
    private final Path stateFile;
    private final Clock clock;
    private final Pacer pacer;
    private final Thread thread;
    /** One pass at a time: the background one or {@link #scrubNow()}. */
    private final ReentrantLock passLock = new ReentrantLock();
    private final AtomicLong blocksChecked = new AtomicLong();
    private final AtomicLong bytesChecked = new AtomicLong();
    private final AtomicLong corruptFound = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    private volatile Instant lastFullPass;
    private volatile Instant passStartedAt;

    /**
     * @param bytesPerSecond pace of the reads; 0 = unlimited
     * @param period         time between the starts of two full passes
     * @param stateFile      where the end of the last full pass is kept; null = nowhere
     */
    public Scrubber(LocalDiskBlockStore store, long bytesPerSecond, Duration period, Path stateFile) {
        this(store, bytesPerSecond, period, stateFile, Clock.systemUTC());
    }

    Scrubber(LocalDiskBlockStore store, long bytesPerSecond, Duration period, Path stateFile, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.period = Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("scrub period must be positive: " + period);
        }
        this.stateFile = stateFile;
        this.clock = clock;
        this.pacer = new Pacer(bytesPerSecond);
        this.lastFullPass = readState(stateFile);
        this.thread = new Thread(this::run, "sklad-worker-scrub");
        this.thread.setDaemon(true);
    }

    /** Starts the background passes. */
    public void start() {
        thread.start();
    }

    public ScrubStatus status() {
        return new ScrubStatus(blocksChecked.get(), bytesChecked.get(), corruptFound.get(), passes.get(),
                lastFullPass, passStartedAt);
    }

    /**
     * Runs one full pass on the calling thread (after the background pass, if one is running) and
     * returns the status after it. Paced like the background passes.
     */
    public ScrubStatus scrubNow() {
        pass();
        return status();
    }

    private void run() {
        Instant next = firstPassAt();
        while (!pacer.stopped()) {
            long wait = Duration.between(clock.instant(), next).toMillis();
            if (wait > 0 && !pacer.pause(wait)) {
                return;
            }
            Instant started = clock.instant();
            try {
                if (!pass()) {
                    return;
                }
            } catch (RuntimeException e) {
                if (pacer.stopped()) {
                    return;
                }
                log.warn("scrub pass failed; next one in {}: {}", period, e.toString());
            }
            next = started.plus(period);
            if (next.isBefore(clock.instant())) {
                log.warn("a scrub pass took longer than the scrub period of {}: raise the scrub rate", period);
            }
        }
    }

    private Instant firstPassAt() {
        Instant now = clock.instant();
        Instant last = lastFullPass;
        if (last == null) {
            return now.plus(period.compareTo(FIRST_PASS_DELAY) < 0 ? period : FIRST_PASS_DELAY);
        }
        Instant due = last.plus(period);
        // A clock set back must not postpone scrubbing beyond one period.
        return due.isAfter(now.plus(period)) ? now.plus(period) : due;
    }

    /** One full pass; false when stopped before the end. */
    private boolean pass() {
        passLock.lock();
        try {
            Instant started = clock.instant();
            passStartedAt = started;
            long corruptBefore = corruptFound.get();
            long blocksBefore = blocksChecked.get();
            for (int volume : store.volumeNumbers()) {
                if (!scrubVolume(volume)) {
                    return false;
                }
            }
            Instant done = clock.instant();
            lastFullPass = done;
            passes.incrementAndGet();
            writeState(done);
            long bad = corruptFound.get() - corruptBefore;
            if (bad > 0) {
                log.warn("scrub pass done in {}: {} blocks checked, {} corrupt", Duration.between(started, done),
                        blocksChecked.get() - blocksBefore, bad);
            } else {
                log.info("scrub pass done in {}: {} blocks checked, all good", Duration.between(started, done),
                        blocksChecked.get() - blocksBefore);
            }
            return true;
        } finally {
            passStartedAt = null;
            passLock.unlock();
        }
    }

    private boolean scrubVolume(int volume) {
        List<StoredBlock> blocks;
        try {
            blocks = store.liveBlocks(volume);
        } catch (IOException e) {
            log.warn("cannot list the blocks of volume {} to scrub them: {}", volume, e.toString());
            return !pacer.stopped();
        }
        for (StoredBlock b : blocks) {
            if (!pacer.acquire(b.length())) {
                return false;
            }
            try {
                switch (store.verify(b)) {
                    case GOOD -> {
                        blocksChecked.incrementAndGet();
                        bytesChecked.addAndGet(b.length());
                    }
                    case CORRUPT -> {
                        blocksChecked.incrementAndGet();
                        corruptFound.incrementAndGet();
                    }
                    case GONE -> {
                        // deleted or moved since listed: a moved copy is checked where it now is
                    }
                }
            } catch (IOException e) {
                // Only when the store is closing under the pass.
                log.debug("scrub of block {} stopped: {}", b.id(), e.toString());
                return false;
            }
        }
        return true;
    }

    private static Instant readState(Path file) {
        if (file == null) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring unreadable scrub state {}: {}", file, e.toString());
            return null;
        }
    }

    private void writeState(Instant done) {
        if (stateFile == null) {
            return;
        }
        Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, done.toEpochMilli() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // A read-only disk: the next start merely scrubs a little early.
            log.debug("cannot keep the scrub state in {}: {}", stateFile, e.toString());
        }
    }

    /** Stops the background pass at its next block and waits for the thread. */
    @Override
    public void close() {
        pacer.stop();
        if (thread.isAlive()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
