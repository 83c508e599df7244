package io.sklad.mount.fs;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single wrapper every FUSE callback runs in: nothing thrown may reach native code, so it
 * catches {@link Throwable}, maps it with {@link FuseErrors} (default {@code -EIO}), times the
 * call, and logs an unexpected failure with its operation and path once per kind (operation and
 * exception class) at WARN, later ones at DEBUG, so a failing disk does not flood the log; the
 * error counters in {@link #stats()} still count every one. Holds no thread-locals: in multi-threaded mode libfuse calls in on thousands of
 * short-lived native threads.
 */
final class CallGuard {

    private static final Logger log = LoggerFactory.getLogger(CallGuard.class);

    /** A callback body; returns its non-negative result or a negative errno. */
    @FunctionalInterface
    interface Body {
        int run() throws Exception;
    }

    private final ConcurrentHashMap<String, Counters> counters = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final long slowNanos;

    CallGuard(long slowCallMillis) {
        this.slowNanos = TimeUnit.MILLISECONDS.toNanos(slowCallMillis);
    }

    int call(String op, String path, Body body) {
        long start = System.nanoTime();
        int result;
        try {
            result = body.run();
        } catch (Throwable failure) {
            result = -FuseErrors.errno(failure);
            if (!FuseErrors.isExpected(failure)) {
                reportUnexpected(op, path, failure);
            } else if (log.isTraceEnabled()) {
                log.trace("{} {} -> {} ({})", op, path, result, failure.toString());
            }
        }
        long elapsed = System.nanoTime() - start;
        counters.computeIfAbsent(op, k -> new Counters()).record(elapsed, result < 0);
        if (elapsed > slowNanos) {
            log.warn("Slow FUSE {} {}: {} ms", op, path, TimeUnit.NANOSECONDS.toMillis(elapsed));
        }
        return result;
    }

    Map<String, CallStats> stats() {
        Map<String, CallStats> snapshot = new TreeMap<>();
        counters.forEach((op, c) -> snapshot.put(op, c.snapshot()));
        return snapshot;
    }

    private void reportUnexpected(String op, String path, Throwable failure) {
        if (reported.add(op + ' ' + failure.getClass().getName())) {
            log.warn("FUSE {} {} failed, answering EIO", op, path, failure);
        } else {
            log.debug("FUSE {} {} failed again, answering EIO: {}", op, path, failure.toString());
        }
    }

    private static final class Counters {
        private final LongAdder calls = new LongAdder();
        private final LongAdder errors = new LongAdder();
        private final LongAdder nanos = new LongAdder();
        private final LongAccumulator max = new LongAccumulator(Math::max, 0);

        void record(long elapsed, boolean failed) {
            calls.increment();
            nanos.add(elapsed);
            max.accumulate(elapsed);
            if (failed) {
                errors.increment();
            }
        }

        CallStats snapshot() {
            return new CallStats(calls.sum(), errors.sum(), nanos.sum(), max.get());
        }
    }
}
