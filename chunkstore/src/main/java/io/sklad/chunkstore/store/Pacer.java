package io.sklad.chunkstore.store;

import java.util.concurrent.TimeUnit;

/**
 * Keeps background work (scrubbing, compaction) under a byte rate so it never starves foreground
 * reads and writes: each {@link #acquire} waits until the bytes before it have "used up" their
 * time at the rate. {@link #stop()} wakes every waiter at once, without interrupting it: an
 * interrupt would close the {@link java.nio.channels.FileChannel} the thread reads from, for every
 * other reader too.
 *
 * <p>Thread-safe.
 */
public final class Pacer {
    private final long bytesPerSecond;
    private long nextFreeNanos; // guarded by this
    private boolean stopped; // guarded by this

    /** @param bytesPerSecond the rate; 0 = unlimited */
    public Pacer(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytesPerSecond must be >= 0: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.nextFreeNanos = System.nanoTime();
    }

    /** Waits until {@code bytes} may be processed; returns false (at once) once stopped. */
    public synchronized boolean acquire(long bytes) {
        if (stopped) {
            return false;
        }
        if (bytesPerSecond == 0) {
            return true;
        }
        long now = System.nanoTime();
        // Idle time is not saved up: after a pause the work starts again at the rate, not in a burst.
        long start = Math.max(now, nextFreeNanos);
        nextFreeNanos = start + (long) (bytes * (1e9 / bytesPerSecond));
        return sleepUntil(start);
    }

    /** Waits for {@code millis} unless stopped first; returns false once stopped. */
    public synchronized boolean pause(long millis) {
        return !stopped && sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private boolean sleepUntil(long deadlineNanos) {
        long left;
        while (!stopped && (left = deadlineNanos - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
        return !stopped;
    }

    /** Makes every current and future {@link #acquire} return false. */
    public synchronized void stop() {
        stopped = true;
        notifyAll();
    }

    public synchronized boolean stopped() {
        return stopped;
    }
}
