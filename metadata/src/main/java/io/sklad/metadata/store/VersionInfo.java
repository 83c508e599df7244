package io.sklad.metadata.store;

/** One content version of a file. */
public record VersionInfo(long version, long committedMillis, long size, boolean current) {
}
