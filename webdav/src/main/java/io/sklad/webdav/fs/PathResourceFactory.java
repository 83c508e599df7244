package io.sklad.webdav.fs;

import io.milton.http.HttpManager;
import io.milton.http.Request;
import io.milton.http.ResourceFactory;
import io.milton.http.exceptions.BadRequestException;
import io.milton.resource.Resource;
import io.sklad.webdav.http.DavExchange;
import io.sklad.webdav.http.DavPath;
import io.sklad.webdav.http.DavStatusException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Milton's view of the served tree: maps a URL below the base path to a {@link PathFileResource} or
 * {@link PathFolderResource} under the authenticated user's root. The root comes from the request
 * (each user sees their own), so one factory serves every user.
 */
public final class PathResourceFactory implements ResourceFactory {

    private final EntityTags entityTags;

    public PathResourceFactory(EntityTags entityTags) {
        this.entityTags = entityTags;
    }

    public EntityTags entityTags() {
        return entityTags;
    }

    @Override
    public Resource getResource(String host, String url) throws BadRequestException {
        Request request = HttpManager.request();
        DavExchange ex = request == null ? null : DavExchange.of(request);
        if (ex == null) {
            return null;
        }
        try {
            return find(ex.session().root(), ex.parse(url));
        } catch (DavStatusException e) {
            if (e.status() == 400) {
                throw new BadRequestException(e.getMessage());
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The resource at {@code p} below {@code root}, or null when nothing is there. */
    public PathResource find(Path root, DavPath p) throws IOException {
        return at(p.resolve(root), p);
    }

    PathResource at(Path path, DavPath p) throws IOException {
        try {
            return of(path, p, Files.readAttributes(path, BasicFileAttributes.class));
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            // ENOTDIR: a parent segment is a file, so nothing is there either.
            if (e.getReason() != null && e.getReason().contains("Not a directory")) {
                return null;
            }
            throw e;
        }
    }

    PathResource of(Path path, DavPath p, BasicFileAttributes a) {
        return a.isDirectory() ? new PathFolderResource(this, path, p, a) : new PathFileResource(this, path, p, a);
    }
}
