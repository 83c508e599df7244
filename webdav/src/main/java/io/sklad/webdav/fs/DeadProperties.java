package io.sklad.webdav.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.xml.namespace.QName;

/**
 * WebDAV dead properties kept as user extended attributes of the resource itself, so they follow it
 * through renames and go with it on delete. The attribute name is {@code dav.} plus a hash of the
 * property's qualified name (names may be long, attribute names may not); the value is
 * {@code {namespace}local\n} followed by the property element serialised as self-contained XML.
 */
public final class DeadProperties {

    private static final String PREFIX = "dav.";

    /** Whether the file store of {@code p} can hold dead properties at all. */
    public boolean supported(Path p) {
        UserDefinedFileAttributeView v = view(p);
        if (v == null) {
            return false;
        }
        try {
            return Files.getFileStore(p).supportsFileAttributeView(UserDefinedFileAttributeView.class);
        } catch (IOException e) {
            return false;
        }
    }

    /** All dead properties of {@code p}: name to self-contained element XML. */
    public Map<QName, String> readAll(Path p) throws IOException {
        Map<QName, String> out = new LinkedHashMap<>();
        UserDefinedFileAttributeView v = view(p);
        if (v == null) {
            return out;
        }
        for (String name : listOrEmpty(v)) {
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String raw = readRaw(v, name);
            int nl = raw.indexOf('\n');
            if (nl > 0) {
                out.put(QName.valueOf(raw.substring(0, nl)), raw.substring(nl + 1));
            }
        }
        return out;
    }

    public Optional<String> read(Path p, QName q) throws IOException {
        UserDefinedFileAttributeView v = view(p);
        if (v == null) {
            return Optional.empty();
        }
        String name = attributeName(q);
        if (!listOrEmpty(v).contains(name)) {
            return Optional.empty();
        }
        String raw = readRaw(v, name);
        int nl = raw.indexOf('\n');
        return nl < 0 ? Optional.empty() : Optional.of(raw.substring(nl + 1));
    }

    public void write(Path p, QName q, String elementXml) throws IOException {
        UserDefinedFileAttributeView v = requireView(p);
        byte[] bytes = (q.toString() + "\n" + elementXml).getBytes(StandardCharsets.UTF_8);
        v.write(attributeName(q), ByteBuffer.wrap(bytes));
    }

    public void remove(Path p, QName q) throws IOException {
        UserDefinedFileAttributeView v = requireView(p);
        String name = attributeName(q);
        if (listOrEmpty(v).contains(name)) {
            v.delete(name);
        }
    }

    /** Copies the dead properties of {@code from} onto {@code to} (COPY keeps them, RFC 4918 §9.8.2). */
    public void copy(Path from, Path to) throws IOException {
        UserDefinedFileAttributeView src = view(from);
        UserDefinedFileAttributeView dst = view(to);
        if (src == null || dst == null) {
            return;
        }
        for (String name : listOrEmpty(src)) {
            if (name.startsWith(PREFIX)) {
                ByteBuffer buf = ByteBuffer.allocate(src.size(name));
                src.read(name, buf);
                buf.flip();
                dst.write(name, buf);
            }
        }
    }

    private static java.util.List<String> listOrEmpty(UserDefinedFileAttributeView v) throws IOException {
        try {
            return v.list();
        } catch (UnsupportedOperationException e) {
            return java.util.List.of();
        } catch (FileSystemException e) {
            // ENOTSUP from a store without xattrs: no dead properties there.
            if (e.getReason() != null && e.getReason().toLowerCase(java.util.Locale.ROOT).contains("not supported")) {
                return java.util.List.of();
            }
            throw e;
        }
    }

    private static String readRaw(UserDefinedFileAttributeView v, String name) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(v.size(name));
        v.read(name, buf);
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }

    private static UserDefinedFileAttributeView view(Path p) {
        return Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
    }

    private static UserDefinedFileAttributeView requireView(Path p) throws IOException {
        UserDefinedFileAttributeView v = view(p);
        if (v == null) {
            throw new FileSystemException(p.toString(), null, "dead properties not supported");
        }
        return v;
    }

    static String attributeName(QName q) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(q.toString().getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(h).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
