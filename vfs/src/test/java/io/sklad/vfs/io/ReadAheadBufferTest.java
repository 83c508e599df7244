package io.sklad.vfs.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.vfs.client.BlockId;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ReadAheadBufferTest {

    static BlockId id(int n) {
        return new BlockId(String.format("%064x", n));
    }

    @Test
    void aBlockIsTakenOnceAndTheOldestGoWhenFull() {
        ReadAheadBuffer buffer = new ReadAheadBuffer(3000);
        buffer.put(id(1), ByteBuffer.allocate(1000));
        buffer.put(id(2), ByteBuffer.allocate(1000));
        buffer.put(id(3), ByteBuffer.allocate(1000));

        assertThat(buffer.take(id(2))).isNotNull();
        assertThat(buffer.take(id(2))).isNull();

        buffer.put(id(4), ByteBuffer.allocate(1000));
        buffer.put(id(5), ByteBuffer.allocate(1000));

        assertThat(buffer.contains(id(1))).as("oldest, never read: dropped").isFalse();
        assertThat(buffer.contains(id(3))).isTrue();
        assertThat(buffer.contains(id(4))).isTrue();
        assertThat(buffer.contains(id(5))).isTrue();
    }
}
