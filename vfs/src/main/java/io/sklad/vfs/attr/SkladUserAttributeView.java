package io.sklad.vfs.attr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * User-defined attributes ({@code user} view) of a Sklad entry, stored on the master per inode: they follow
 * renames, are not copied by a metadata copy, and go to history with a deleted entry. Limits (master): a value
 * of at most 64 KiB, 256 attributes and 1 MiB per entry.
 *
 * <p>The first read fetches every attribute of the entry in one call and keeps them for the life of this view
 * object (callers get a fresh view per operation, as with the JDK's views), so {@code list} followed by
 * {@code size} and {@code read} of each name costs one master call; this view's own writes update that copy.
 */
public final class SkladUserAttributeView implements java.nio.file.attribute.UserDefinedFileAttributeView {

    private final String path;
    private final PropertyAccess access;
    private Map<String, byte[]> fetched;

    public SkladUserAttributeView(String path, PropertyAccess access) {
        this.path = path;
        this.access = access;
    }

    @Override
    public String name() {
        return "user";
    }

    private synchronized Map<String, byte[]> all() throws IOException {
        if (fetched == null) {
            fetched = new java.util.LinkedHashMap<>(access.read());
        }
        return fetched;
    }

    private byte[] value(String name) throws IOException {
        byte[] v = all().get(name);
        if (v == null) {
            // what Linux says for a missing xattr (ENODATA)
            throw new FileSystemException(path, null, "No such attribute: " + name);
        }
        return v;
    }

    @Override
    public List<String> list() throws IOException {
        return new ArrayList<>(all().keySet());
    }

    @Override
    public int size(String name) throws IOException {
        return value(name).length;
    }

    @Override
    public int read(String name, ByteBuffer dst) throws IOException {
        byte[] v = value(name);
        if (dst.remaining() < v.length) {
            throw new FileSystemException(path, null, "Buffer too small for attribute " + name + " (" + v.length
                    + " bytes)");
        }
        dst.put(v);
        return v.length;
    }

    @Override
    public int write(String name, ByteBuffer src) throws IOException {
        byte[] v = new byte[src.remaining()];
        src.get(v);
        access.update(Map.of(name, v), Set.of());
        synchronized (this) {
            if (fetched != null) {
                fetched.put(name, v);
            }
        }
        return v.length;
    }

    @Override
    public void delete(String name) throws IOException {
        access.update(Map.of(), Set.of(name));
        synchronized (this) {
            if (fetched != null) {
                fetched.remove(name);
            }
        }
    }
}
