package io.sklad.webdav.fs;

import io.milton.resource.CollectionResource;
import io.milton.resource.Resource;
import io.sklad.webdav.http.DavPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** A directory. Children are read with one attribute call each. */
public final class PathFolderResource extends PathResource implements CollectionResource {

    /** Receives children one by one, so big folders are never held in memory as a list. */
    @FunctionalInterface
    public interface ChildVisitor {
        void visit(PathResource child) throws IOException;
    }

    PathFolderResource(PathResourceFactory factory, Path path, DavPath davPath, BasicFileAttributes attributes) {
        super(factory, path, davPath, attributes);
    }

    public void forEachChild(ChildVisitor visitor) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                PathResource child;
                try {
                    child = factory.of(p, davPath.child(name),
                            Files.readAttributes(p, BasicFileAttributes.class));
                } catch (NoSuchFileException gone) {
                    continue; // deleted while listing
                }
                visitor.visit(child);
            }
        }
    }

    @Override
    public Resource child(String childName) {
        try {
            return factory.at(path.resolve(childName), davPath.child(childName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<? extends Resource> getChildren() {
        List<PathResource> out = new ArrayList<>();
        try {
            forEachChild(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
