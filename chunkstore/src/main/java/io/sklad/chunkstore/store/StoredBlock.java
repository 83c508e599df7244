package io.sklad.chunkstore.store;

/**
 * One copy of a block in a {@link LocalDiskBlockStore}: which volume file holds it and where.
 * Names a copy, not just a block, so that a check or a move can tell whether the block has moved
 * or gone since the copy was listed.
 *
 * @param id     the block's id
 * @param volume volume number
 * @param offset offset in the volume's data file
 * @param length stored length
 */
public record StoredBlock(BlockId id, int volume, long offset, int length) {
}
