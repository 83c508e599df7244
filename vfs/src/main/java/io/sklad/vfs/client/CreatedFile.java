package io.sklad.vfs.client;

/** The answer to CreateFile: the entry, and whether this call created it. */
public record CreatedFile(EntryInfo entry, boolean created) {
}
