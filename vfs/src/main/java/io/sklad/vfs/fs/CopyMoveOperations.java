package io.sklad.vfs.fs;

import io.sklad.vfs.client.EntryInfo;
import io.sklad.vfs.client.MetadataClient;
import io.sklad.vfs.io.OpenFile;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;

/**
 * Copy and move. A file copy is metadata-only (the master's Copy: the blocks are shared); a move inside a
 * volume is one Rename (atomic); across volumes a move is copy + delete, refused for ATOMIC_MOVE and for
 * non-empty directories, as the JDK does across file stores.
 */
final class CopyMoveOperations {

    private final SkladFileSystem fs;
    private final MetadataClient metadata;

    CopyMoveOperations(SkladFileSystem fs) {
        this.fs = fs;
        this.metadata = fs.metadata();
    }

    void copy(Path source, Path target, CopyOption... options) throws IOException {
        List<CopyOption> opts = Arrays.asList(options);
        boolean replace = opts.contains(StandardCopyOption.REPLACE_EXISTING);
        boolean follow = !opts.contains(LinkOption.NOFOLLOW_LINKS);
        Location from = fs.locate(source);
        Location to = fs.locate(target);
        if (from.sameAs(to)) {
            fs.stat(from, follow);
            return;
        }
        refuseRoot(to, target);
        Stat s = fs.stat(from, follow);
        EntryInfo e = s.entry();
        if (e.isFile()) {
            flushIfChanged(s);
            metadata.copy(s.location().volume(), s.location().inVolume(), to.volume(), to.inVolume(), replace);
            return;
        }
        clearTarget(to, target, replace);
        if (e.isDirectory()) {
            metadata.mkdir(to.volume(), to.inVolume(), e.mode(), e.uid(), e.gid(), false);
        } else {
            metadata.symlink(to.volume(), to.inVolume(), e.symlinkTarget(), e.uid(), e.gid());
        }
    }

    void move(Path source, Path target, CopyOption... options) throws IOException {
        List<CopyOption> opts = Arrays.asList(options);
        boolean replace = opts.contains(StandardCopyOption.REPLACE_EXISTING);
        Location from = fs.locate(source);
        Location to = fs.locate(target);
        refuseRoot(from, source);
        if (from.sameAs(to)) {
            fs.stat(from, false);
            return;
        }
        refuseRoot(to, target);
        if (from.volume().equals(to.volume())) {
            metadata.rename(from.volume(), from.inVolume(), to.inVolume(), replace);
            return;
        }
        if (opts.contains(StandardCopyOption.ATOMIC_MOVE)) {
            throw new AtomicMoveNotSupportedException(source.toString(), target.toString(),
                    "a move across volumes is a copy and a delete");
        }
        Stat s = fs.stat(from, false);
        if (s.entry().isDirectory() && !metadata.list(from.volume(), from.inVolume()).isEmpty()) {
            throw new DirectoryNotEmptyException(source.toString());
        }
        copy(source, target, replace ? new CopyOption[]{StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS}
                : new CopyOption[]{LinkOption.NOFOLLOW_LINKS});
        metadata.delete(from.volume(), from.inVolume(), false, null);
    }

    private void flushIfChanged(Stat s) throws IOException {
        // a copy should see what this agent wrote, as a local copy would
        var open = fs.registry().find(s.location().volume(), s.entry().inode()).filter(OpenFile::isModified);
        if (open.isPresent()) {
            open.get().flush();
        }
    }

    private void clearTarget(Location to, Path target, boolean replace) throws IOException {
        try {
            fs.stat(to, false);
        } catch (NoSuchFileException absent) {
            return;
        }
        if (!replace) {
            throw new FileAlreadyExistsException(target.toString());
        }
        metadata.delete(to.volume(), to.inVolume(), false, null);
    }

    private static void refuseRoot(Location at, Path path) throws AccessDeniedException {
        if (at.isRoot() || at.isVolumeRoot()) {
            throw new AccessDeniedException(path.toString(), null, "the root and volume roots cannot be replaced");
        }
    }
}
