package io.sklad.vfs.client;

/**
 * The answer to CreateFile: the entry, whether this call created it, and the write lease taken with it (null when
 * none was asked for or the file existed).
 */
public record CreatedFile(EntryInfo entry, boolean created, LeaseGrant lease) {
}
