package io.sklad.vfs.client;

/** One committed version of a file. */
public record FileVersionInfo(long version, long committedMillis, long size, boolean current) {
}
