package io.sklad.vfs.io;

import java.nio.ByteBuffer;

/**
 * A snapshot of a dirty block taken for upload.
 *
 * @param generation the block's write generation at snapshot time: a result for an older generation is dropped
 * @param plaintext  the block's valid bytes (shorter than the block size only for the last block)
 */
record PendingBlock(long index, long generation, ByteBuffer plaintext) {
}
