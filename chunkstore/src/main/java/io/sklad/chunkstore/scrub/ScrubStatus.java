package io.sklad.chunkstore.scrub;

import java.time.Instant;

/**
 * Progress of a worker's scrubber (for {@code sklad status}).
 *
 * @param blocksChecked   blocks verified since the worker started
 * @param bytesChecked    bytes verified since the worker started
 * @param corruptFound    corrupt, cut-short or unreadable blocks found since the worker started
 * @param passesCompleted full passes finished since the worker started
 * @param lastFullPass    when the last full pass over every block finished (kept across restarts); null = never
 * @param passStartedAt   when the running pass started; null between passes
 */
public record ScrubStatus(long blocksChecked, long bytesChecked, long corruptFound, long passesCompleted,
                          Instant lastFullPass, Instant passStartedAt) {
}
