package io.sklad.chunkstore.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Write throughput of {@link LocalDiskBlockStore} (random blocks, one group fsync per batch)
 * against the same bytes written as one plain sequential file with one fsync at the end, in the
 * same directory. The store side includes what a put costs: hashing the block (SHA-256 is verified on
 * put) and the index. Run by the {@code tests/bench} scripts:
 * {@code StoreWriteBenchmark DIR [totalMiB=1024] [blockBytes=65536] [batchBlocks=64]}.
 */
public final class StoreWriteBenchmark {

    /**
     * @param bytes      bytes written by each side
     * @param storeMBps  block store throughput (MB/s, 10^6 bytes)
     * @param plainMBps  plain file throughput
     * @param ratio      storeMBps / plainMBps
     */
    public record Result(long bytes, double storeMBps, double plainMBps, double ratio) {
    }

    private StoreWriteBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: StoreWriteBenchmark DIR [totalMiB=1024] [blockBytes=65536] [batchBlocks=64]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        long total = (args.length > 1 ? Long.parseLong(args[1]) : 1024) * 1024 * 1024;
        int block = args.length > 2 ? Integer.parseInt(args[2]) : 64 * 1024;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        Result r = run(dir, total, block, batch);
        System.out.printf("bytes=%d block=%d batch=%d%nstore MB/s: %.1f%nplain MB/s: %.1f%nratio: %.2f%n",
                r.bytes(), block, batch, r.storeMBps(), r.plainMBps(), r.ratio());
    }

    /** Writes {@code totalBytes} (rounded down to whole blocks, at least one) each way under {@code dir}. */
    public static Result run(Path dir, long totalBytes, int blockSize, int batchBlocks) throws IOException {
        if (blockSize <= 0 || blockSize > BlockStore.MAX_BLOCK_BYTES || batchBlocks <= 0) {
            throw new IllegalArgumentException("bad block size or batch size");
        }
        long blocks = Math.max(1, totalBytes / blockSize);
        long bytes = blocks * blockSize;
        Files.createDirectories(dir);
        Path storeDir = Files.createTempDirectory(dir, "bench-store");
        Path plainFile = dir.resolve(storeDir.getFileName() + ".plain");
        SplittableRandom random = new SplittableRandom(42);
        byte[] data = new byte[blockSize];
        try {
            long t0 = System.nanoTime();
            try (LocalDiskBlockStore store = new LocalDiskBlockStore(DiskStoreConfig.of(storeDir, 0))) {
                long left = blocks;
                while (left > 0) {
                    try (BlockStore.Batch batch = store.newBatch()) {
                        for (int i = 0; i < batchBlocks && left > 0; i++, left--) {
                            fill(random, data);
                            batch.put(BlockId.sha256(data, 0, data.length), data, 0, data.length);
                        }
                        batch.commit();
                    }
                }
            }
            long storeNanos = System.nanoTime() - t0;

            long t1 = System.nanoTime();
            try (FileChannel ch = FileChannel.open(plainFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (long i = 0; i < blocks; i++) {
                    fill(random, data);
                    ByteBuffer buf = ByteBuffer.wrap(data);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                }
                ch.force(true);
            }
            long plainNanos = System.nanoTime() - t1;
            double storeMBps = bytes / (storeNanos / 1e9) / 1e6;
            double plainMBps = bytes / (plainNanos / 1e9) / 1e6;
            return new Result(bytes, storeMBps, plainMBps, storeMBps / plainMBps);
        } finally {
            deleteTree(storeDir);
            Files.deleteIfExists(plainFile);
        }
    }

    private static void fill(SplittableRandom random, byte[] data) {
        for (int i = 0; i + 8 <= data.length; i += 8) {
            long v = random.nextLong();
            for (int k = 0; k < 8; k++) {
                data[i + k] = (byte) (v >>> (8 * k));
            }
        }
        for (int i = data.length & ~7; i < data.length; i++) {
            data[i] = (byte) random.nextInt();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
