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
}
