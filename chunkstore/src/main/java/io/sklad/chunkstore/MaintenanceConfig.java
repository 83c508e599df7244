package io.sklad.chunkstore;

import io.sklad.chunkstore.scrub.Scrubber;
import io.sklad.chunkstore.store.Compactor;
import io.sklad.chunkstore.store.DiskStoreConfig;
import java.time.Duration;

/**
 * Settings of a worker's background upkeep: scrubbing, compaction and the free-space check that
 * takes the store out of read-only mode. Kept apart from {@link WorkerConfig} so that code written
 * against its nine fields keeps compiling. A {@code null} duration or a 0 rate/threshold means the
 * default; {@link Duration#ZERO} as {@code scrubPeriod} or {@code compactionInterval} turns the
 * periodic task off ({@link WorkerServer#compactNow()} still works).
 *
 * @param scrubBytesPerSecond      scrub pace
 * @param scrubPeriod              time between the starts of two full scrub passes
 * @param compactionThreshold      live share (live bytes / volume file bytes) below which a sealed volume is compacted
 * @param compactionInterval       time between two compaction runs
 * @param compactionBytesPerSecond compaction pace (bytes read plus written)
 * @param spaceCheckInterval       time between two free-space checks
 * @param volumeFileBytes          size past which the store starts a new volume file (only sealed volume
 *                                 files are compacted); 0 = {@link DiskStoreConfig#DEFAULT_VOLUME_FILE_BYTES}
 * @param blockReportInterval      time between two full block reports to the master after the one at
 *                                 registration (they reconcile the master's replica rows with what is on disk)
 */
public record MaintenanceConfig(long scrubBytesPerSecond, Duration scrubPeriod, double compactionThreshold,
                                Duration compactionInterval, long compactionBytesPerSecond,
                                Duration spaceCheckInterval, long volumeFileBytes, Duration blockReportInterval) {

    public static final Duration DEFAULT_COMPACTION_INTERVAL = Duration.ofHours(1);
    public static final long DEFAULT_COMPACTION_BYTES_PER_SECOND = 20L << 20;
    public static final Duration DEFAULT_SPACE_CHECK_INTERVAL = Duration.ofSeconds(30);
    /** HDFS reports every 6 h; a Sklad worker holds far fewer blocks, so hourly costs little and heals sooner. */
    public static final Duration DEFAULT_BLOCK_REPORT_INTERVAL = Duration.ofHours(1);

    public MaintenanceConfig {
        if (scrubBytesPerSecond < 0 || compactionBytesPerSecond < 0 || volumeFileBytes < 0) {
            throw new IllegalArgumentException("rates and sizes must be >= 0");
        }
        volumeFileBytes = volumeFileBytes == 0 ? DiskStoreConfig.DEFAULT_VOLUME_FILE_BYTES : volumeFileBytes;
        if (compactionThreshold < 0 || compactionThreshold > 1 || Double.isNaN(compactionThreshold)) {
            throw new IllegalArgumentException("compactionThreshold must be in (0, 1]: " + compactionThreshold);
        }
        scrubBytesPerSecond = scrubBytesPerSecond == 0 ? Scrubber.DEFAULT_BYTES_PER_SECOND : scrubBytesPerSecond;
        scrubPeriod = orDefault(scrubPeriod, Scrubber.DEFAULT_PERIOD, "scrubPeriod");
        compactionThreshold = compactionThreshold == 0 ? Compactor.DEFAULT_THRESHOLD : compactionThreshold;
        compactionInterval = orDefault(compactionInterval, DEFAULT_COMPACTION_INTERVAL, "compactionInterval");
        compactionBytesPerSecond = compactionBytesPerSecond == 0
                ? DEFAULT_COMPACTION_BYTES_PER_SECOND : compactionBytesPerSecond;
        spaceCheckInterval = orDefault(spaceCheckInterval, DEFAULT_SPACE_CHECK_INTERVAL, "spaceCheckInterval");
        if (spaceCheckInterval.isZero()) {
            throw new IllegalArgumentException("spaceCheckInterval must be positive");
        }
        blockReportInterval = orDefault(blockReportInterval, DEFAULT_BLOCK_REPORT_INTERVAL, "blockReportInterval");
        if (blockReportInterval.isZero()) {
            throw new IllegalArgumentException("blockReportInterval must be positive");
        }
    }

    /**
     * Scrub 20 MiB/s with a pass a week, compact below 50 % live hourly at 20 MiB/s, check space every 30 s,
     * report blocks hourly.
     */
    public static MaintenanceConfig defaults() {
        return new MaintenanceConfig(0, null, 0, null, 0, null, 0, null);
    }

    public MaintenanceConfig withScrub(long bytesPerSecond, Duration period) {
        return new MaintenanceConfig(bytesPerSecond, period, compactionThreshold, compactionInterval,
                compactionBytesPerSecond, spaceCheckInterval, volumeFileBytes, blockReportInterval);
    }

    public MaintenanceConfig withCompaction(double threshold, Duration interval, long bytesPerSecond) {
        return new MaintenanceConfig(scrubBytesPerSecond, scrubPeriod, threshold, interval, bytesPerSecond,
                spaceCheckInterval, volumeFileBytes, blockReportInterval);
    }

    public MaintenanceConfig withSpaceCheckInterval(Duration interval) {
        return new MaintenanceConfig(scrubBytesPerSecond, scrubPeriod, compactionThreshold, compactionInterval,
                compactionBytesPerSecond, interval, volumeFileBytes, blockReportInterval);
    }

    public MaintenanceConfig withVolumeFileBytes(long bytes) {
        return new MaintenanceConfig(scrubBytesPerSecond, scrubPeriod, compactionThreshold, compactionInterval,
                compactionBytesPerSecond, spaceCheckInterval, bytes, blockReportInterval);
    }

    public MaintenanceConfig withBlockReportInterval(Duration interval) {
        return new MaintenanceConfig(scrubBytesPerSecond, scrubPeriod, compactionThreshold, compactionInterval,
                compactionBytesPerSecond, spaceCheckInterval, volumeFileBytes, interval);
    }

    private static Duration orDefault(Duration d, Duration def, String name) {
        if (d == null) {
            return def;
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
        return d;
    }
}
