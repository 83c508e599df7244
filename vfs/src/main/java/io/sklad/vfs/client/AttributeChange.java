package io.sklad.vfs.client;

/** Attributes to change; null fields stay as they are. */
public record AttributeChange(Integer mode, Integer uid, Integer gid, Long mtimeMillis, Long atimeMillis) {

    public static AttributeChange mode(int mode) {
        return new AttributeChange(mode, null, null, null, null);
    }

    public static AttributeChange owner(Integer uid, Integer gid) {
        return new AttributeChange(null, uid, gid, null, null);
    }

    public static AttributeChange times(Long mtimeMillis, Long atimeMillis) {
        return new AttributeChange(null, null, null, mtimeMillis, atimeMillis);
    }

    /** This change followed by {@code later}: a field {@code later} sets wins. */
    public AttributeChange then(AttributeChange later) {
        return new AttributeChange(
                later.mode != null ? later.mode : mode,
                later.uid != null ? later.uid : uid,
                later.gid != null ? later.gid : gid,
                later.mtimeMillis != null ? later.mtimeMillis : mtimeMillis,
                later.atimeMillis != null ? later.atimeMillis : atimeMillis);
    }
}
