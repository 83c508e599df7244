package io.sklad.vfs.attr;

import io.sklad.vfs.client.AttributeChange;

import java.io.IOException;

/** What an attribute view needs from the file system for one path. */
public interface AttributeAccess {

    SkladFileAttributes read() throws IOException;

    void change(AttributeChange change) throws IOException;
}
