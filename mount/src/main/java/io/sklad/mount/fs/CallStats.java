package io.sklad.mount.fs;

/**
 * Counters of one FUSE operation since the mount started, for metrics and for measuring
 * single- against multi-threaded mode.
 *
 * @param calls      callbacks completed
 * @param errors     callbacks that returned an errno
 * @param totalNanos time spent inside the callbacks
 * @param maxNanos   the slowest single callback
 */
public record CallStats(long calls, long errors, long totalNanos, long maxNanos) {
}
