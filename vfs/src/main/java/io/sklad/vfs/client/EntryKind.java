package io.sklad.vfs.client;

/** What a namespace entry is. */
public enum EntryKind {
    FILE, DIRECTORY, SYMLINK
}
