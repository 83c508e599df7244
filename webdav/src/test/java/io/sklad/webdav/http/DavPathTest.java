package io.sklad.webdav.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DavPathTest {

    @Test
    void parsesDecodesAndEncodesSegments() throws Exception {
        DavPath p = DavPath.parse("/dav/a%20b/%E2%82%AC.txt", "/dav");
        assertThat(p.segments()).containsExactly("a b", "€.txt");
        assertThat(p.href("/dav", false)).isEqualTo("/dav/a%20b/%E2%82%AC.txt");
        assertThat(p.parent().href("/dav", true)).isEqualTo("/dav/a%20b/");
        assertThat(p.resolve(Path.of("/root"))).isEqualTo(Path.of("/root/a b/€.txt"));
        assertThat(DavPath.parse("/dav", "/dav").isRoot()).isTrue();
        assertThat(DavPath.parse("/other/x", "/dav")).isNull();
        assertThat(DavPath.parse("/dav/x", "/dav").contains(DavPath.parse("/dav/x/y", "/dav"))).isTrue();
    }

    @Test
    void rejectsNamesThatCouldEscapeOrAreInvalid() {
        for (String bad : new String[] {"/dav/..", "/dav/a/../..", "/dav/%2e%2e", "/dav/a%2Fb", "/dav/a%00b",
                "/dav/" + "x".repeat(256), "/dav/%zz"}) {
            assertThatThrownBy(() -> DavPath.parse(bad, "/dav")).as(bad).isInstanceOf(DavErrors.InvalidNameException.class);
        }
    }

    @Test
    void mapsFileSystemExceptionsToStatuses() {
        assertThat(DavErrors.status(new NoSuchFileException("x"))).isEqualTo(404);
        assertThat(DavErrors.status(new FileAlreadyExistsException("x"), DavErrors.Context.CREATE)).isEqualTo(405);
        assertThat(DavErrors.status(new FileAlreadyExistsException("x"), DavErrors.Context.OVERWRITE)).isEqualTo(412);
        assertThat(DavErrors.status(new AccessDeniedException("x"))).isEqualTo(403);
        assertThat(DavErrors.status(new DirectoryNotEmptyException("x"))).isEqualTo(409);
        assertThat(DavErrors.status(new FileSystemException("x", null, "No space left on device"))).isEqualTo(507);
        assertThat(DavErrors.status(new FileSystemException("x", null, "version conflict"))).isEqualTo(409);
        assertThat(DavErrors.status(new FileSystemException("x", null, "file is locked"))).isEqualTo(423);
        assertThat(DavErrors.status(new DavErrors.InvalidNameException("bad"))).isEqualTo(400);
        assertThat(DavErrors.status(new java.io.IOException("disk on fire"))).isEqualTo(500);
    }

    @Test
    void parsesByteRanges() {
        assertThat(GetHandler.parseRange("bytes=0-9", 100)).isEqualTo(new GetHandler.ByteRange(0, 9));
        assertThat(GetHandler.parseRange("bytes=90-", 100)).isEqualTo(new GetHandler.ByteRange(90, 99));
        assertThat(GetHandler.parseRange("bytes=-10", 100)).isEqualTo(new GetHandler.ByteRange(90, 99));
        assertThat(GetHandler.parseRange("bytes=-1000", 100)).isEqualTo(new GetHandler.ByteRange(0, 99));
        assertThat(GetHandler.parseRange("bytes=50-5000", 100)).isEqualTo(new GetHandler.ByteRange(50, 99));
        assertThat(GetHandler.parseRange("bytes=100-", 100)).isNull();
        assertThat(GetHandler.parseRange("bytes=-0", 100)).isNull();
        assertThatThrownBy(() -> GetHandler.parseRange("bytes=5-1", 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GetHandler.parseRange("bytes=0-1,5-6", 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GetHandler.parseRange("items=0-1", 100)).isInstanceOf(IllegalArgumentException.class);
    }
}
