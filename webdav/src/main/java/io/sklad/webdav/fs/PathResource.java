package io.sklad.webdav.fs;

import io.milton.http.Auth;
import io.milton.http.Request;
import io.milton.resource.PropFindableResource;
import io.milton.resource.QuotaResource;
import io.milton.resource.Resource;
import io.sklad.webdav.http.DavPath;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Date;

/**
 * A file or folder of the served tree, as Milton sees it: a path plus the attributes read once when
 * the resource was looked up (one attribute read per entry keeps PROPFIND on big folders fast).
 * Authentication happens before Milton runs, so {@link #authorise} admits every request.
 */
public abstract sealed class PathResource implements Resource, PropFindableResource, QuotaResource
        permits PathFileResource, PathFolderResource {

    protected final PathResourceFactory factory;
    protected final Path path;
    protected final DavPath davPath;
    protected final BasicFileAttributes attributes;

    protected PathResource(PathResourceFactory factory, Path path, DavPath davPath, BasicFileAttributes attributes) {
        this.factory = factory;
        this.path = path;
        this.davPath = davPath;
        this.attributes = attributes;
    }

    public Path path() {
        return path;
    }

    public DavPath davPath() {
        return davPath;
    }

    public BasicFileAttributes attributes() {
        return attributes;
    }

    public boolean isCollection() {
        return this instanceof PathFolderResource;
    }

    /** The entity tag, as the factory's {@link EntityTags} make it from the attributes read at lookup. */
    public String etag() {
        return factory.entityTags().of(attributes);
    }

    @Override
    public String getUniqueId() {
        Object key = attributes.fileKey();
        return key != null ? key.toString() : path.toString();
    }

    @Override
    public String getName() {
        return davPath.name();
    }

    @Override
    public Object authenticate(String user, String password) {
        return null;
    }

    @Override
    public boolean authorise(Request request, Request.Method method, Auth auth) {
        return true;
    }

    @Override
    public String getRealm() {
        return "Sklad";
    }

    @Override
    public Date getModifiedDate() {
        return new Date(attributes.lastModifiedTime().toMillis());
    }

    @Override
    public String checkRedirect(Request request) {
        return null;
    }

    @Override
    public Date getCreateDate() {
        return new Date(attributes.creationTime().toMillis());
    }

    @Override
    public Long getQuotaUsed() {
        try {
            FileStore fs = Files.getFileStore(path);
            return fs.getTotalSpace() - fs.getUnallocatedSpace();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public Long getQuotaAvailable() {
        try {
            return Files.getFileStore(path).getUsableSpace();
        } catch (IOException e) {
            return null;
        }
    }
}
