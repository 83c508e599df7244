package io.sklad.metadata.store;

import java.util.HexFormat;

/** A block's address: SHA-256 of its stored bytes, kept as lowercase hex. */
public record BlockId(String hex) {
    private static final HexFormat HEX = HexFormat.of();

    public BlockId {
        if (hex == null || hex.length() != 64) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "block id must be 32 bytes");
        }
        hex = hex.toLowerCase(java.util.Locale.ROOT);
    }

    public static BlockId of(byte[] sha256) {
        if (sha256 == null || sha256.length != 32) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "block id must be 32 bytes");
        }
        return new BlockId(HEX.formatHex(sha256));
    }

    public byte[] bytes() {
        return HEX.parseHex(hex);
    }

    @Override
    public String toString() {
        return hex.substring(0, 12);
    }
}
