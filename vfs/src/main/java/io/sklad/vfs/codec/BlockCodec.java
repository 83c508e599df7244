package io.sklad.vfs.codec;

import io.sklad.vfs.client.BlockId;
import io.sklad.vfs.client.SealedBlock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Seals plaintext blocks into stored bytes and opens them again.
 *
 * <p>Stored layout (format version 1, big-endian):
 * <pre>
 *  0  4  magic "SKB1"
 *  4  1  format version (1)
 *  5  1  compression codec id (0 = none; zstd will take 1)
 *  6  1  encryption codec id  (0 = none; AES-GCM will take 1)
 *  7  1  reserved, 0
 *  8  8  plaintext length
 * 16  .. payload (codec-specific data such as a nonce goes at the start of the payload)
 * </pre>
 * The block id is SHA-256 of all stored bytes, so workers and the master can check integrity without being
 * able to read contents once encryption is on. A block of all zeros is a hole and is never sealed.
 */
public final class BlockCodec {

    public static final int HEADER_LENGTH = 16;
    public static final int FORMAT_VERSION = 1;
    public static final int CODEC_NONE = 0;
    private static final int MAGIC = 0x534B4231; // "SKB1"

    /** Seals a plaintext block (its remaining bytes); the buffer's position is not changed. */
    public SealedBlock seal(ByteBuffer plaintext) {
        ByteBuffer src = plaintext.duplicate();
        int length = src.remaining();
        ByteBuffer stored = ByteBuffer.allocate(HEADER_LENGTH + length).order(ByteOrder.BIG_ENDIAN);
        stored.putInt(MAGIC).put((byte) FORMAT_VERSION).put((byte) CODEC_NONE).put((byte) CODEC_NONE).put((byte) 0)
                .putLong(length).put(src);
        stored.flip();
        return new SealedBlock(idOf(stored), stored);
    }

    /**
     * Opens stored bytes: checks the header and returns the plaintext as a read-only buffer.
     *
     * @throws IOException when the magic, version, a codec id or the length does not fit
     */
    public ByteBuffer open(ByteBuffer stored) throws IOException {
        ByteBuffer in = stored.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (in.remaining() < HEADER_LENGTH) {
            throw new IOException("stored block truncated: " + in.remaining() + " bytes, header needs " + HEADER_LENGTH);
        }
        int start = in.position();
        if (in.getInt(start) != MAGIC) {
            throw new IOException("not a Sklad block: bad magic");
        }
        int version = in.get(start + 4) & 0xff;
        if (version != FORMAT_VERSION) {
            throw new IOException("unsupported block format version " + version);
        }
        int compression = in.get(start + 5) & 0xff;
        int encryption = in.get(start + 6) & 0xff;
        if (compression != CODEC_NONE || encryption != CODEC_NONE) {
            throw new IOException("unsupported block codecs: compression " + compression + ", encryption " + encryption);
        }
        long length = in.getLong(start + 8);
        if (length != in.remaining() - HEADER_LENGTH) {
            throw new IOException("stored block length mismatch: header says " + length + ", payload has "
                    + (in.remaining() - HEADER_LENGTH));
        }
        in.position(start + HEADER_LENGTH);
        return in.slice().asReadOnlyBuffer();
    }

    /** Verifies that stored bytes hash to the id, then opens them. */
    public ByteBuffer openVerified(BlockId id, ByteBuffer stored) throws IOException {
        BlockId actual = idOf(stored);
        if (!actual.equals(id)) {
            throw new IOException("block " + id.shortHex() + " has bytes hashing to " + actual.shortHex());
        }
        return open(stored);
    }

    /** SHA-256 of the remaining bytes, as a block id. */
    public static BlockId idOf(ByteBuffer bytes) {
        MessageDigest sha = sha256();
        sha.update(bytes.duplicate());
        return BlockId.of(sha.digest());
    }

    /** True when every remaining byte is zero: such a block is stored as a hole. */
    public static boolean isZero(ByteBuffer plaintext) {
        ByteBuffer b = plaintext.duplicate();
        while (b.remaining() >= Long.BYTES) {
            if (b.getLong() != 0) {
                return false;
            }
        }
        while (b.hasRemaining()) {
            if (b.get() != 0) {
                return false;
            }
        }
        return true;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
