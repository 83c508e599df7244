package io.sklad.vfs.fs;

import io.sklad.vfs.client.EntryInfo;

/** An entry and where it was found (after following symbolic links, when asked to). */
record Stat(Location location, EntryInfo entry) {
}
