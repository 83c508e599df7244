package io.sklad.vfs.codec;

import io.sklad.vfs.client.SealedBlock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockCodecTest {

    private final BlockCodec codec = new BlockCodec();

    private static ByteBuffer random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void roundTripKeepsBytesAndIdIsHashOfStoredBytes() throws IOException {
        for (int size : new int[]{0, 1, 65535, 65536, 4 << 20}) {
            ByteBuffer plain = random(size, size);
            SealedBlock sealed = codec.seal(plain);
            assertThat(sealed.length()).isEqualTo(BlockCodec.HEADER_LENGTH + size);
            assertThat(sealed.id()).isEqualTo(BlockCodec.idOf(sealed.stored()));
            assertThat(bytes(codec.openVerified(sealed.id(), sealed.stored()))).isEqualTo(bytes(plain));
            assertThat(plain.position()).isZero();
        }
    }

    @Test
    void headerCarriesMagicVersionCodecsAndLength() {
        ByteBuffer stored = codec.seal(random(100, 1)).stored();
        assertThat(new String(bytes(stored.duplicate().limit(4)), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("SKB1");
        assertThat(stored.get(4)).isEqualTo((byte) 1);
        assertThat(stored.get(5)).isZero();
        assertThat(stored.get(6)).isZero();
        assertThat(stored.getLong(8)).isEqualTo(100);
    }

    @Test
    void sameContentSameIdDifferentContentDifferentId() {
        assertThat(codec.seal(random(1000, 7)).id()).isEqualTo(codec.seal(random(1000, 7)).id());
        assertThat(codec.seal(random(1000, 7)).id()).isNotEqualTo(codec.seal(random(1000, 8)).id());
    }

    @Test
    void badMagicIsRefused() {
        byte[] stored = bytes(codec.seal(random(10, 2)).stored());
        stored[0] = 'X';
        assertThatThrownBy(() -> codec.open(ByteBuffer.wrap(stored))).isInstanceOf(IOException.class)
                .hasMessageContaining("magic");
    }

    @Test
    void unknownVersionOrCodecIsRefused() {
        byte[] stored = bytes(codec.seal(random(10, 2)).stored());
        stored[4] = 9;
        assertThatThrownBy(() -> codec.open(ByteBuffer.wrap(stored))).hasMessageContaining("version");
        byte[] other = bytes(codec.seal(random(10, 2)).stored());
        other[5] = 1;
        assertThatThrownBy(() -> codec.open(ByteBuffer.wrap(other))).hasMessageContaining("codecs");
    }

    @Test
    void truncatedBlocksAreRefused() {
        byte[] stored = bytes(codec.seal(random(1000, 3)).stored());
        assertThatThrownBy(() -> codec.open(ByteBuffer.wrap(stored, 0, 10))).hasMessageContaining("truncated");
        assertThatThrownBy(() -> codec.open(ByteBuffer.wrap(stored, 0, stored.length - 1)))
                .hasMessageContaining("length");
    }

    @Test
    void bytesThatDoNotMatchTheIdAreRefused() {
        SealedBlock sealed = codec.seal(random(1000, 4));
        byte[] stored = bytes(sealed.stored());
        stored[500] ^= 1;
        assertThatThrownBy(() -> codec.openVerified(sealed.id(), ByteBuffer.wrap(stored)))
                .isInstanceOf(IOException.class).hasMessageContaining("hashing to");
    }

    @Test
    void zeroDetection() {
        assertThat(BlockCodec.isZero(ByteBuffer.allocate(65536))).isTrue();
        assertThat(BlockCodec.isZero(ByteBuffer.allocate(0))).isTrue();
        ByteBuffer b = ByteBuffer.allocate(65537);
        b.put(65536, (byte) 1);
        assertThat(BlockCodec.isZero(b)).isFalse();
        b.put(65536, (byte) 0).put(3, (byte) 1);
        assertThat(BlockCodec.isZero(b)).isFalse();
    }
}
