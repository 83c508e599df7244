package io.sklad.webdav.fs;

import io.milton.http.Auth;
import io.milton.http.Range;
import io.milton.resource.GetableResource;
import io.sklad.webdav.http.DavPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLConnection;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/** A regular file. Content is streamed in bounded buffers, ranges by seeking. */
public final class PathFileResource extends PathResource implements GetableResource {

    private static final int BUFFER = 64 * 1024;

    PathFileResource(PathResourceFactory factory, Path path, DavPath davPath, BasicFileAttributes attributes) {
        super(factory, path, davPath, attributes);
    }

    /** Copies {@code length} bytes from {@code offset} (or to the end when length is negative) to {@code out}. */
    public void copyTo(OutputStream out, long offset, long length) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(path)) {
            ch.position(offset);
            InputStream in = Channels.newInputStream(ch);
            byte[] buf = new byte[BUFFER];
            long left = length < 0 ? Long.MAX_VALUE : length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    @Override
    public void sendContent(OutputStream out, Range range, Map<String, String> params, String contentType)
            throws IOException {
        if (range == null) {
            copyTo(out, 0, -1);
            return;
        }
        long size = attributes.size();
        long start = range.getStart() != null ? range.getStart() : Math.max(0, size - range.getFinish());
        long end = range.getStart() != null && range.getFinish() != null ? range.getFinish() : size - 1;
        copyTo(out, start, end - start + 1);
    }

    @Override
    public Long getMaxAgeSeconds(Auth auth) {
        return null;
    }

    @Override
    public String getContentType(String accepts) {
        return contentType(getName());
    }

    @Override
    public Long getContentLength() {
        return attributes.size();
    }

    static String contentType(String name) {
        String t = URLConnection.guessContentTypeFromName(name);
        return t != null ? t : "application/octet-stream";
    }
}
