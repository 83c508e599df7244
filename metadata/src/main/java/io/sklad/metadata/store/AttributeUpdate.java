package io.sklad.metadata.store;

/** Attributes to change; null fields stay as they are. */
public record AttributeUpdate(Integer mode, Integer uid, Integer gid, Long mtimeMillis, Long atimeMillis) {
}
