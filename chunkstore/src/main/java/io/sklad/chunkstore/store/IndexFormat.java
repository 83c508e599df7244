package io.sklad.chunkstore.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * Layout of a volume index file {@code vol-NNNNNN.idx}: an 8-byte header (magic {@code SKIX},
 * format version) and then fixed-size records, appended and never rewritten:
 *
 * <pre>
 *   0  block id (32 bytes, SHA-256)
 *  32  offset of the block in the volume's .dat file (int64)
 *  40  stored length (int32)
 *  44  flags (int32): bit 0 = tombstone (the copy at this offset is deleted)
 *  48  CRC32 of bytes 0..47 (int32)
 * </pre>
 *
 * A tombstone names the exact copy (offset and length) it deletes, so replay does not depend on
 * the order of volumes and compaction can drop a whole volume with its tombstones.
 */
final class IndexFormat {
    static final int MAGIC = 0x534B4958; // "SKIX"
    static final int VERSION = 1;
    static final int HEADER_BYTES = 8;
    static final int RECORD_BYTES = 52;
    static final int FLAG_TOMBSTONE = 1;

    private IndexFormat() {
    }

    /** One decoded index record. */
    record Entry(BlockId id, long offset, int length, boolean tombstone) {
    }

    interface Visitor {
        void visit(Entry entry);
    }

    /**
     * Result of a scan.
     *
     * @param goodEnd     file position just after the last valid record (where appends may go)
     * @param size        file size seen
     * @param badRecords  records skipped for a bad CRC before {@code goodEnd}
     * @param validHeader whether the header was present and right
     */
    record ScanResult(long goodEnd, long size, int badRecords, boolean validHeader) {
    }

    static ByteBuffer header() {
        return ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(VERSION).flip();
    }

    static void encode(ByteBuffer out, BlockId id, long offset, int length, boolean tombstone) {
        int start = out.position();
        id.writeTo(out);
        out.putLong(offset).putInt(length).putInt(tombstone ? FLAG_TOMBSTONE : 0);
        CRC32 crc = new CRC32();
        crc.update(out.array(), out.arrayOffset() + start, RECORD_BYTES - 4);
        out.putInt((int) crc.getValue());
    }

    /**
     * Reads every record from {@code channel} without modifying it. Records with a bad CRC are
     * skipped; a short or bad tail is left out of {@code goodEnd} (the owner truncates it).
     */
    static ScanResult scan(FileChannel channel, Visitor visitor) throws IOException {
        long size = channel.size();
        if (size < HEADER_BYTES) {
            return new ScanResult(0, size, 0, false);
        }
        ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES);
        readFully(channel, head, 0);
        head.flip();
        int magic = head.getInt();
        int version = head.getInt();
        if (magic != MAGIC || version != VERSION) {
            throw new IOException(String.format("not a Sklad index file (magic %08x, version %d)", magic, version));
        }
        long goodEnd = HEADER_BYTES;
        int bad = 0;
        int badSinceGood = 0;
        long records = (size - HEADER_BYTES) / RECORD_BYTES;
        ByteBuffer buf = ByteBuffer.allocate(RECORD_BYTES * 8192);
        long pos = HEADER_BYTES;
        long remaining = records;
        CRC32 crc = new CRC32();
        while (remaining > 0) {
            int n = (int) Math.min(remaining, 8192);
            buf.clear().limit(n * RECORD_BYTES);
            readFully(channel, buf, pos);
            buf.flip();
            for (int i = 0; i < n; i++) {
                int start = i * RECORD_BYTES;
                crc.reset();
                crc.update(buf.array(), start, RECORD_BYTES - 4);
                buf.position(start);
                BlockId id = BlockId.readFrom(buf);
                long offset = buf.getLong();
                int length = buf.getInt();
                int flags = buf.getInt();
                int stored = buf.getInt();
                long recordEnd = pos + start + RECORD_BYTES;
                if (stored != (int) crc.getValue() || offset < 0 || length < 0) {
                    badSinceGood++;
                    continue;
                }
                bad += badSinceGood;
                badSinceGood = 0;
                goodEnd = recordEnd;
                visitor.visit(new Entry(id, offset, length, (flags & FLAG_TOMBSTONE) != 0));
            }
            pos += (long) n * RECORD_BYTES;
            remaining -= n;
        }
        return new ScanResult(goodEnd, size, bad, true);
    }

    static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + pos);
            }
            pos += n;
        }
    }

    static void writeFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            pos += channel.write(buf, pos);
        }
    }
}
